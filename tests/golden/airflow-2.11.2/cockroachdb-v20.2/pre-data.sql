-- pre-data rewritten by airflow_ops.metastore.metastore_rewrite
-- for cockroachdb v20.2.0; owner airflow_owner. Rules applied: see rewrite-report.json.

SET lock_timeout = 0;

SET client_encoding = 'UTF8';

SET standard_conforming_strings = on;

SET row_security = off;

SET default_tablespace = '';

CREATE TABLE public.ab_permission (
    id integer NOT NULL
  , name varchar(100) NOT NULL
  , CONSTRAINT ab_permission_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_permission OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_permission_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_permission_id_seq OWNED BY public.ab_permission.id;

CREATE TABLE public.ab_permission_view (
    id integer NOT NULL
  , permission_id integer
  , view_menu_id integer
  , CONSTRAINT ab_permission_view_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_permission_view OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_permission_view_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_permission_view_id_seq OWNED BY public.ab_permission_view.id;

CREATE TABLE public.ab_permission_view_role (
    id integer NOT NULL
  , permission_view_id integer
  , role_id integer
  , CONSTRAINT ab_permission_view_role_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_permission_view_role OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_permission_view_role_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_permission_view_role_id_seq OWNED BY public.ab_permission_view_role.id;

CREATE TABLE public.ab_register_user (
    id integer NOT NULL
  , first_name varchar(256) NOT NULL
  , last_name varchar(256) NOT NULL
  , username varchar(512) NOT NULL
  , password varchar(256)
  , email varchar(512) NOT NULL
  , registration_date timestamp
  , registration_hash varchar(256)
  , CONSTRAINT ab_register_user_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_register_user OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_register_user_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_register_user_id_seq OWNED BY public.ab_register_user.id;

CREATE TABLE public.ab_role (
    id integer NOT NULL
  , name varchar(64) NOT NULL
  , CONSTRAINT ab_role_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_role OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_role_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_role_id_seq OWNED BY public.ab_role.id;

CREATE TABLE public.ab_user (
    id integer NOT NULL
  , first_name varchar(256) NOT NULL
  , last_name varchar(256) NOT NULL
  , username varchar(512) NOT NULL
  , password varchar(256)
  , active boolean
  , email varchar(512) NOT NULL
  , last_login timestamp
  , login_count integer
  , fail_login_count integer
  , created_on timestamp
  , changed_on timestamp
  , created_by_fk integer
  , changed_by_fk integer
  , CONSTRAINT ab_user_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_user OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_user_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_user_id_seq OWNED BY public.ab_user.id;

CREATE TABLE public.ab_user_role (
    id integer NOT NULL
  , user_id integer
  , role_id integer
  , CONSTRAINT ab_user_role_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_user_role OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_user_role_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_user_role_id_seq OWNED BY public.ab_user_role.id;

CREATE TABLE public.ab_view_menu (
    id integer NOT NULL
  , name varchar(250) NOT NULL
  , CONSTRAINT ab_view_menu_pkey PRIMARY KEY (id)
);

ALTER TABLE public.ab_view_menu OWNER TO airflow_owner;

CREATE SEQUENCE public.ab_view_menu_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.ab_view_menu_id_seq OWNED BY public.ab_view_menu.id;

CREATE TABLE public.alembic_version (
    version_num varchar(32) NOT NULL
  , CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

ALTER TABLE public.alembic_version OWNER TO airflow_owner;

CREATE TABLE public.callback_request (
    id integer NOT NULL
  , created_at timestamp with time zone NOT NULL
  , priority_weight integer NOT NULL
  , callback_data json NOT NULL
  , callback_type varchar(20) NOT NULL
  , processor_subdir varchar(2000)
  , CONSTRAINT callback_request_pkey PRIMARY KEY (id)
);

ALTER TABLE public.callback_request OWNER TO airflow_owner;

CREATE SEQUENCE public.callback_request_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.callback_request_id_seq OWNED BY public.callback_request.id;

CREATE TABLE public.connection (
    id integer NOT NULL
  , conn_id varchar(250) NOT NULL
  , conn_type varchar(500) NOT NULL
  , description text
  , host varchar(500)
  , schema varchar(500)
  , login text
  , password text
  , port integer
  , is_encrypted boolean
  , is_extra_encrypted boolean
  , extra text
  , CONSTRAINT connection_pkey PRIMARY KEY (id)
);

ALTER TABLE public.connection OWNER TO airflow_owner;

CREATE SEQUENCE public.connection_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.connection_id_seq OWNED BY public.connection.id;

CREATE TABLE public.dag (
    dag_id varchar(250) NOT NULL
  , root_dag_id varchar(250)
  , is_paused boolean
  , is_subdag boolean
  , is_active boolean
  , last_parsed_time timestamp with time zone
  , last_pickled timestamp with time zone
  , last_expired timestamp with time zone
  , scheduler_lock boolean
  , pickle_id integer
  , fileloc varchar(2000)
  , processor_subdir varchar(2000)
  , owners varchar(2000)
  , dag_display_name varchar(2000)
  , description text
  , default_view varchar(25)
  , schedule_interval text
  , timetable_description varchar(1000)
  , dataset_expression json
  , max_active_tasks integer NOT NULL
  , max_active_runs integer
  , max_consecutive_failed_dag_runs integer NOT NULL
  , has_task_concurrency_limits boolean NOT NULL
  , has_import_errors boolean DEFAULT FALSE
  , next_dagrun timestamp with time zone
  , next_dagrun_data_interval_start timestamp with time zone
  , next_dagrun_data_interval_end timestamp with time zone
  , next_dagrun_create_after timestamp with time zone
  , CONSTRAINT dag_pkey PRIMARY KEY (dag_id)
);

ALTER TABLE public.dag OWNER TO airflow_owner;

CREATE TABLE public.dag_code (
    fileloc_hash bigint NOT NULL
  , fileloc varchar(2000) NOT NULL
  , last_updated timestamp with time zone NOT NULL
  , source_code text NOT NULL
  , CONSTRAINT dag_code_pkey PRIMARY KEY (fileloc_hash)
);

ALTER TABLE public.dag_code OWNER TO airflow_owner;

CREATE TABLE public.dag_owner_attributes (
    dag_id varchar(250) NOT NULL
  , owner varchar(500) NOT NULL
  , link varchar(500) NOT NULL
  , CONSTRAINT dag_owner_attributes_pkey PRIMARY KEY (dag_id, owner)
);

ALTER TABLE public.dag_owner_attributes OWNER TO airflow_owner;

CREATE TABLE public.dag_pickle (
    id integer NOT NULL
  , pickle bytea
  , created_dttm timestamp with time zone
  , pickle_hash bigint
  , CONSTRAINT dag_pickle_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dag_pickle OWNER TO airflow_owner;

CREATE SEQUENCE public.dag_pickle_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dag_pickle_id_seq OWNED BY public.dag_pickle.id;

CREATE TABLE public.dag_priority_parsing_request (
    id varchar(32) NOT NULL
  , fileloc varchar(2000) NOT NULL
  , CONSTRAINT dag_priority_parsing_request_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dag_priority_parsing_request OWNER TO airflow_owner;

CREATE TABLE public.dag_run (
    id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , queued_at timestamp with time zone
  , execution_date timestamp with time zone NOT NULL
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , state varchar(50)
  , run_id varchar(250) NOT NULL
  , creating_job_id integer
  , external_trigger boolean
  , run_type varchar(50) NOT NULL
  , conf bytea
  , data_interval_start timestamp with time zone
  , data_interval_end timestamp with time zone
  , last_scheduling_decision timestamp with time zone
  , dag_hash varchar(32)
  , log_template_id integer
  , updated_at timestamp with time zone
  , clear_number integer DEFAULT 0 NOT NULL
  , CONSTRAINT dag_run_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dag_run OWNER TO airflow_owner;

CREATE SEQUENCE public.dag_run_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dag_run_id_seq OWNED BY public.dag_run.id;

CREATE TABLE public.dag_run_note (
    user_id integer
  , dag_run_id integer NOT NULL
  , content varchar(1000)
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT dag_run_note_pkey PRIMARY KEY (dag_run_id)
);

ALTER TABLE public.dag_run_note OWNER TO airflow_owner;

CREATE TABLE public.dag_schedule_dataset_alias_reference (
    alias_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT dsdar_pkey PRIMARY KEY (alias_id, dag_id)
);

ALTER TABLE public.dag_schedule_dataset_alias_reference OWNER TO airflow_owner;

CREATE TABLE public.dag_schedule_dataset_reference (
    dataset_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT dsdr_pkey PRIMARY KEY (dataset_id, dag_id)
);

ALTER TABLE public.dag_schedule_dataset_reference OWNER TO airflow_owner;

CREATE TABLE public.dag_tag (
    name varchar(100) NOT NULL
  , dag_id varchar(250) NOT NULL
  , CONSTRAINT dag_tag_pkey PRIMARY KEY (name, dag_id)
);

ALTER TABLE public.dag_tag OWNER TO airflow_owner;

CREATE TABLE public.dag_warning (
    dag_id varchar(250) NOT NULL
  , warning_type varchar(50) NOT NULL
  , message text NOT NULL
  , timestamp timestamp with time zone NOT NULL
  , CONSTRAINT dag_warning_pkey PRIMARY KEY (dag_id, warning_type)
);

ALTER TABLE public.dag_warning OWNER TO airflow_owner;

CREATE TABLE public.dagrun_dataset_event (
    dag_run_id integer NOT NULL
  , event_id integer NOT NULL
  , CONSTRAINT dagrun_dataset_event_pkey PRIMARY KEY (dag_run_id, event_id)
);

ALTER TABLE public.dagrun_dataset_event OWNER TO airflow_owner;

CREATE TABLE public.dataset (
    id integer NOT NULL
  , uri varchar(3000) NOT NULL
  , extra json NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , is_orphaned boolean DEFAULT FALSE NOT NULL
  , CONSTRAINT dataset_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dataset OWNER TO airflow_owner;

CREATE TABLE public.dataset_alias (
    id integer NOT NULL
  , name varchar(3000) NOT NULL
  , CONSTRAINT dataset_alias_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dataset_alias OWNER TO airflow_owner;

CREATE TABLE public.dataset_alias_dataset (
    alias_id integer NOT NULL
  , dataset_id integer NOT NULL
  , CONSTRAINT dataset_alias_dataset_pkey PRIMARY KEY (alias_id, dataset_id)
);

ALTER TABLE public.dataset_alias_dataset OWNER TO airflow_owner;

CREATE TABLE public.dataset_alias_dataset_event (
    alias_id integer NOT NULL
  , event_id integer NOT NULL
  , CONSTRAINT dataset_alias_dataset_event_pkey PRIMARY KEY (alias_id, event_id)
);

ALTER TABLE public.dataset_alias_dataset_event OWNER TO airflow_owner;

CREATE SEQUENCE public.dataset_alias_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dataset_alias_id_seq OWNED BY public.dataset_alias.id;

CREATE TABLE public.dataset_dag_run_queue (
    dataset_id integer NOT NULL
  , target_dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT datasetdagrunqueue_pkey PRIMARY KEY (dataset_id, target_dag_id)
);

ALTER TABLE public.dataset_dag_run_queue OWNER TO airflow_owner;

CREATE TABLE public.dataset_event (
    id integer NOT NULL
  , dataset_id integer NOT NULL
  , extra json NOT NULL
  , source_task_id varchar(250)
  , source_dag_id varchar(250)
  , source_run_id varchar(250)
  , source_map_index integer DEFAULT CAST('-1' AS integer)
  , timestamp timestamp with time zone NOT NULL
  , CONSTRAINT dataset_event_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dataset_event OWNER TO airflow_owner;

CREATE SEQUENCE public.dataset_event_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dataset_event_id_seq OWNED BY public.dataset_event.id;

CREATE SEQUENCE public.dataset_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dataset_id_seq OWNED BY public.dataset.id;

CREATE TABLE public.import_error (
    id integer NOT NULL
  , timestamp timestamp with time zone
  , filename varchar(1024)
  , stacktrace text
  , processor_subdir varchar(2000)
  , CONSTRAINT import_error_pkey PRIMARY KEY (id)
);

ALTER TABLE public.import_error OWNER TO airflow_owner;

CREATE SEQUENCE public.import_error_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.import_error_id_seq OWNED BY public.import_error.id;

CREATE TABLE public.job (
    id integer NOT NULL
  , dag_id varchar(250)
  , state varchar(20)
  , job_type varchar(30)
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , latest_heartbeat timestamp with time zone
  , executor_class varchar(500)
  , hostname varchar(500)
  , unixname varchar(1000)
  , CONSTRAINT job_pkey PRIMARY KEY (id)
);

ALTER TABLE public.job OWNER TO airflow_owner;

CREATE SEQUENCE public.job_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.job_id_seq OWNED BY public.job.id;

CREATE TABLE public.log (
    id integer NOT NULL
  , dttm timestamp with time zone
  , dag_id varchar(250)
  , task_id varchar(250)
  , map_index integer
  , event varchar(60)
  , execution_date timestamp with time zone
  , run_id varchar(250)
  , owner varchar(500)
  , owner_display_name varchar(500)
  , extra text
  , try_number integer
  , CONSTRAINT log_pkey PRIMARY KEY (id)
);

ALTER TABLE public.log OWNER TO airflow_owner;

CREATE SEQUENCE public.log_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.log_id_seq OWNED BY public.log.id;

CREATE TABLE public.log_template (
    id integer NOT NULL
  , filename text NOT NULL
  , elasticsearch_id text NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT log_template_pkey PRIMARY KEY (id)
);

ALTER TABLE public.log_template OWNER TO airflow_owner;

CREATE SEQUENCE public.log_template_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.log_template_id_seq OWNED BY public.log_template.id;

CREATE TABLE public.rendered_task_instance_fields (
    dag_id varchar(250) NOT NULL
  , task_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , rendered_fields json NOT NULL
  , k8s_pod_yaml json
  , CONSTRAINT rendered_task_instance_fields_pkey PRIMARY KEY (dag_id, task_id, run_id, map_index)
);

ALTER TABLE public.rendered_task_instance_fields OWNER TO airflow_owner;

CREATE TABLE public.serialized_dag (
    dag_id varchar(250) NOT NULL
  , fileloc varchar(2000) NOT NULL
  , fileloc_hash bigint NOT NULL
  , data json
  , data_compressed bytea
  , last_updated timestamp with time zone NOT NULL
  , dag_hash varchar(32) NOT NULL
  , processor_subdir varchar(2000)
  , CONSTRAINT serialized_dag_pkey PRIMARY KEY (dag_id)
);

ALTER TABLE public.serialized_dag OWNER TO airflow_owner;

CREATE TABLE public.session (
    id integer NOT NULL
  , session_id varchar(255)
  , data bytea
  , expiry timestamp
  , CONSTRAINT session_pkey PRIMARY KEY (id)
);

ALTER TABLE public.session OWNER TO airflow_owner;

CREATE SEQUENCE public.session_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.session_id_seq OWNED BY public.session.id;

CREATE TABLE public.sla_miss (
    task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , execution_date timestamp with time zone NOT NULL
  , email_sent boolean
  , timestamp timestamp with time zone
  , description text
  , notification_sent boolean
  , CONSTRAINT sla_miss_pkey PRIMARY KEY (task_id, dag_id, execution_date)
);

ALTER TABLE public.sla_miss OWNER TO airflow_owner;

CREATE TABLE public.slot_pool (
    id integer NOT NULL
  , pool varchar(256)
  , slots integer
  , description text
  , include_deferred boolean NOT NULL
  , CONSTRAINT slot_pool_pkey PRIMARY KEY (id)
);

ALTER TABLE public.slot_pool OWNER TO airflow_owner;

CREATE SEQUENCE public.slot_pool_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.slot_pool_id_seq OWNED BY public.slot_pool.id;

CREATE TABLE public.task_fail (
    id integer NOT NULL
  , task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , duration integer
  , CONSTRAINT task_fail_pkey PRIMARY KEY (id)
);

ALTER TABLE public.task_fail OWNER TO airflow_owner;

CREATE SEQUENCE public.task_fail_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.task_fail_id_seq OWNED BY public.task_fail.id;

CREATE TABLE public.task_instance (
    task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , duration double precision
  , state varchar(20)
  , try_number integer
  , max_tries integer DEFAULT CAST('-1' AS integer)
  , hostname varchar(1000)
  , unixname varchar(1000)
  , job_id integer
  , pool varchar(256) NOT NULL
  , pool_slots integer NOT NULL
  , queue varchar(256)
  , priority_weight integer
  , operator varchar(1000)
  , custom_operator_name varchar(1000)
  , queued_dttm timestamp with time zone
  , queued_by_job_id integer
  , pid integer
  , executor varchar(1000)
  , executor_config bytea
  , updated_at timestamp with time zone
  , rendered_map_index varchar(250)
  , external_executor_id varchar(250)
  , trigger_id integer
  , trigger_timeout timestamp
  , next_method varchar(1000)
  , next_kwargs json
  , task_display_name varchar(2000)
  , CONSTRAINT task_instance_pkey PRIMARY KEY (dag_id, task_id, run_id, map_index)
);

ALTER TABLE public.task_instance OWNER TO airflow_owner;

CREATE TABLE public.task_instance_history (
    id integer NOT NULL
  , task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , try_number integer NOT NULL
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , duration double precision
  , state varchar(20)
  , max_tries integer DEFAULT CAST('-1' AS integer)
  , hostname varchar(1000)
  , unixname varchar(1000)
  , job_id integer
  , pool varchar(256) NOT NULL
  , pool_slots integer NOT NULL
  , queue varchar(256)
  , priority_weight integer
  , operator varchar(1000)
  , custom_operator_name varchar(1000)
  , queued_dttm timestamp with time zone
  , queued_by_job_id integer
  , pid integer
  , executor varchar(1000)
  , executor_config bytea
  , updated_at timestamp with time zone
  , rendered_map_index varchar(250)
  , external_executor_id varchar(250)
  , trigger_id integer
  , trigger_timeout timestamp
  , next_method varchar(1000)
  , next_kwargs json
  , task_display_name varchar(2000)
  , CONSTRAINT task_instance_history_pkey PRIMARY KEY (id)
);

ALTER TABLE public.task_instance_history OWNER TO airflow_owner;

CREATE SEQUENCE public.task_instance_history_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.task_instance_history_id_seq OWNED BY public.task_instance_history.id;

CREATE TABLE public.task_instance_note (
    user_id integer
  , task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer NOT NULL
  , content varchar(1000)
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT task_instance_note_pkey PRIMARY KEY (task_id, dag_id, run_id, map_index)
);

ALTER TABLE public.task_instance_note OWNER TO airflow_owner;

CREATE TABLE public.task_map (
    dag_id varchar(250) NOT NULL
  , task_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer NOT NULL
  , length integer NOT NULL
  , keys json
  , CONSTRAINT ck_task_map_task_map_length_not_negative CHECK (length >= 0)
  , CONSTRAINT task_map_pkey PRIMARY KEY (dag_id, task_id, run_id, map_index)
);

ALTER TABLE public.task_map OWNER TO airflow_owner;

CREATE TABLE public.task_outlet_dataset_reference (
    dataset_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , task_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT todr_pkey PRIMARY KEY (dataset_id, dag_id, task_id)
);

ALTER TABLE public.task_outlet_dataset_reference OWNER TO airflow_owner;

CREATE TABLE public.task_reschedule (
    id integer NOT NULL
  , task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , try_number integer NOT NULL
  , start_date timestamp with time zone NOT NULL
  , end_date timestamp with time zone NOT NULL
  , duration integer NOT NULL
  , reschedule_date timestamp with time zone NOT NULL
  , CONSTRAINT task_reschedule_pkey PRIMARY KEY (id)
);

ALTER TABLE public.task_reschedule OWNER TO airflow_owner;

CREATE SEQUENCE public.task_reschedule_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.task_reschedule_id_seq OWNED BY public.task_reschedule.id;

CREATE TABLE public.trigger (
    id integer NOT NULL
  , classpath varchar(1000) NOT NULL
  , kwargs text NOT NULL
  , created_date timestamp with time zone NOT NULL
  , triggerer_id integer
  , CONSTRAINT trigger_pkey PRIMARY KEY (id)
);

ALTER TABLE public.trigger OWNER TO airflow_owner;

CREATE SEQUENCE public.trigger_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.trigger_id_seq OWNED BY public.trigger.id;

CREATE TABLE public.variable (
    id integer NOT NULL
  , key varchar(250)
  , val text
  , description text
  , is_encrypted boolean
  , CONSTRAINT variable_pkey PRIMARY KEY (id)
);

ALTER TABLE public.variable OWNER TO airflow_owner;

CREATE SEQUENCE public.variable_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.variable_id_seq OWNED BY public.variable.id;

CREATE TABLE public.xcom (
    dag_run_id integer NOT NULL
  , task_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , key varchar(512) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , value bytea
  , timestamp timestamp with time zone NOT NULL
  , CONSTRAINT xcom_pkey PRIMARY KEY (dag_run_id, task_id, map_index, key)
);

ALTER TABLE public.xcom OWNER TO airflow_owner;

ALTER TABLE public.ab_permission ALTER COLUMN id SET DEFAULT nextval('public.ab_permission_id_seq');

ALTER TABLE public.ab_permission_view ALTER COLUMN id SET DEFAULT nextval('public.ab_permission_view_id_seq');

ALTER TABLE public.ab_permission_view_role ALTER COLUMN id SET DEFAULT nextval('public.ab_permission_view_role_id_seq');

ALTER TABLE public.ab_register_user ALTER COLUMN id SET DEFAULT nextval('public.ab_register_user_id_seq');

ALTER TABLE public.ab_role ALTER COLUMN id SET DEFAULT nextval('public.ab_role_id_seq');

ALTER TABLE public.ab_user ALTER COLUMN id SET DEFAULT nextval('public.ab_user_id_seq');

ALTER TABLE public.ab_user_role ALTER COLUMN id SET DEFAULT nextval('public.ab_user_role_id_seq');

ALTER TABLE public.ab_view_menu ALTER COLUMN id SET DEFAULT nextval('public.ab_view_menu_id_seq');

ALTER TABLE public.callback_request ALTER COLUMN id SET DEFAULT nextval('public.callback_request_id_seq');

ALTER TABLE public.connection ALTER COLUMN id SET DEFAULT nextval('public.connection_id_seq');

ALTER TABLE public.dag_pickle ALTER COLUMN id SET DEFAULT nextval('public.dag_pickle_id_seq');

ALTER TABLE public.dag_run ALTER COLUMN id SET DEFAULT nextval('public.dag_run_id_seq');

ALTER TABLE public.dataset ALTER COLUMN id SET DEFAULT nextval('public.dataset_id_seq');

ALTER TABLE public.dataset_alias ALTER COLUMN id SET DEFAULT nextval('public.dataset_alias_id_seq');

ALTER TABLE public.dataset_event ALTER COLUMN id SET DEFAULT nextval('public.dataset_event_id_seq');

ALTER TABLE public.import_error ALTER COLUMN id SET DEFAULT nextval('public.import_error_id_seq');

ALTER TABLE public.job ALTER COLUMN id SET DEFAULT nextval('public.job_id_seq');

ALTER TABLE public.log ALTER COLUMN id SET DEFAULT nextval('public.log_id_seq');

ALTER TABLE public.log_template ALTER COLUMN id SET DEFAULT nextval('public.log_template_id_seq');

ALTER TABLE public.session ALTER COLUMN id SET DEFAULT nextval('public.session_id_seq');

ALTER TABLE public.slot_pool ALTER COLUMN id SET DEFAULT nextval('public.slot_pool_id_seq');

ALTER TABLE public.task_fail ALTER COLUMN id SET DEFAULT nextval('public.task_fail_id_seq');

ALTER TABLE public.task_instance_history ALTER COLUMN id SET DEFAULT nextval('public.task_instance_history_id_seq');

ALTER TABLE public.task_reschedule ALTER COLUMN id SET DEFAULT nextval('public.task_reschedule_id_seq');

ALTER TABLE public.trigger ALTER COLUMN id SET DEFAULT nextval('public.trigger_id_seq');

ALTER TABLE public.variable ALTER COLUMN id SET DEFAULT nextval('public.variable_id_seq');
