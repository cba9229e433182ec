-- pre-data rewritten by airflow_ops.metastore.metastore_rewrite
-- for cockroachdb v20.2.0; owner airflow_owner. Rules applied: see rewrite-report.json.

SET lock_timeout = 0;

SET client_encoding = 'UTF8';

SET standard_conforming_strings = on;

SET row_security = off;

SET default_tablespace = '';

CREATE TABLE public._xcom_archive (
    dag_run_id integer NOT NULL
  , task_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , key varchar(512) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , value bytea
  , timestamp timestamp with time zone NOT NULL
  , CONSTRAINT _xcom_archive_pkey PRIMARY KEY (dag_run_id, task_id, map_index, key)
);

ALTER TABLE public._xcom_archive OWNER TO airflow_owner;

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

CREATE TABLE public.asset (
    id integer NOT NULL
  , uri varchar(1500) NOT NULL
  , extra json NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , name varchar(1500) NOT NULL
  , "group" varchar(1500) NOT NULL
  , CONSTRAINT dataset_pkey PRIMARY KEY (id)
);

ALTER TABLE public.asset OWNER TO airflow_owner;

CREATE TABLE public.asset_active (
    name varchar(1500) NOT NULL
  , uri varchar(1500) NOT NULL
  , CONSTRAINT asset_active_pkey PRIMARY KEY (name, uri)
);

ALTER TABLE public.asset_active OWNER TO airflow_owner;

CREATE TABLE public.asset_alias (
    id integer NOT NULL
  , name varchar(1500) NOT NULL
  , "group" varchar(1500) NOT NULL
  , CONSTRAINT dataset_alias_pkey PRIMARY KEY (id)
);

ALTER TABLE public.asset_alias OWNER TO airflow_owner;

CREATE TABLE public.asset_alias_asset (
    alias_id integer NOT NULL
  , asset_id integer NOT NULL
  , CONSTRAINT asset_alias_asset_pkey PRIMARY KEY (alias_id, asset_id)
);

ALTER TABLE public.asset_alias_asset OWNER TO airflow_owner;

CREATE TABLE public.asset_alias_asset_event (
    alias_id integer NOT NULL
  , event_id integer NOT NULL
  , CONSTRAINT dataset_alias_dataset_event_pkey PRIMARY KEY (alias_id, event_id)
);

ALTER TABLE public.asset_alias_asset_event OWNER TO airflow_owner;

CREATE TABLE public.asset_dag_run_queue (
    asset_id integer NOT NULL
  , target_dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT assetdagrunqueue_pkey PRIMARY KEY (asset_id, target_dag_id)
);

ALTER TABLE public.asset_dag_run_queue OWNER TO airflow_owner;

CREATE TABLE public.asset_event (
    id integer NOT NULL
  , asset_id integer NOT NULL
  , extra json NOT NULL
  , source_task_id varchar(250)
  , source_dag_id varchar(250)
  , source_run_id varchar(250)
  , source_map_index integer DEFAULT CAST('-1' AS integer)
  , timestamp timestamp with time zone NOT NULL
  , partition_key varchar(250)
  , CONSTRAINT dataset_event_pkey PRIMARY KEY (id)
);

ALTER TABLE public.asset_event OWNER TO airflow_owner;

CREATE TABLE public.asset_partition_dag_run (
    id integer NOT NULL
  , target_dag_id varchar(250) NOT NULL
  , created_dag_run_id integer
  , partition_key varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , rollup_fingerprint json
  , partition_date timestamp with time zone
  , CONSTRAINT asset_partition_dag_run_pkey PRIMARY KEY (id)
);

ALTER TABLE public.asset_partition_dag_run OWNER TO airflow_owner;

CREATE SEQUENCE public.asset_partition_dag_run_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.asset_partition_dag_run_id_seq OWNED BY public.asset_partition_dag_run.id;

CREATE TABLE public.asset_state_store (
    asset_id integer NOT NULL
  , key varchar(512) NOT NULL
  , value text NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , last_updated_by_kind varchar(16)
  , last_updated_by_dag_id varchar(250)
  , last_updated_by_run_id varchar(250)
  , last_updated_by_task_id varchar(250)
  , last_updated_by_map_index integer
  , CONSTRAINT asset_state_store_pkey PRIMARY KEY (asset_id, key)
);

ALTER TABLE public.asset_state_store OWNER TO airflow_owner;

CREATE TABLE public.asset_watcher (
    name varchar(1500) NOT NULL
  , asset_id integer NOT NULL
  , trigger_id integer NOT NULL
  , CONSTRAINT asset_watcher_pkey PRIMARY KEY (asset_id, trigger_id)
);

ALTER TABLE public.asset_watcher OWNER TO airflow_owner;

CREATE TABLE public.backfill (
    id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , from_date timestamp with time zone NOT NULL
  , to_date timestamp with time zone NOT NULL
  , dag_run_conf json NOT NULL
  , is_paused boolean
  , max_active_runs integer NOT NULL
  , created_at timestamp with time zone NOT NULL
  , completed_at timestamp with time zone
  , updated_at timestamp with time zone NOT NULL
  , reprocess_behavior varchar(250) NOT NULL
  , triggering_user_name varchar(512)
  , CONSTRAINT backfill_pkey PRIMARY KEY (id)
);

ALTER TABLE public.backfill OWNER TO airflow_owner;

CREATE TABLE public.backfill_dag_run (
    id integer NOT NULL
  , backfill_id integer NOT NULL
  , dag_run_id integer
  , sort_ordinal integer NOT NULL
  , exception_reason varchar(250)
  , logical_date timestamp with time zone
  , partition_key varchar(250)
  , CONSTRAINT backfill_dag_run_pkey PRIMARY KEY (id)
);

ALTER TABLE public.backfill_dag_run OWNER TO airflow_owner;

CREATE SEQUENCE public.backfill_dag_run_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.backfill_dag_run_id_seq OWNED BY public.backfill_dag_run.id;

CREATE SEQUENCE public.backfill_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.backfill_id_seq OWNED BY public.backfill.id;

CREATE TABLE public.callback (
    created_at timestamp with time zone NOT NULL
  , priority_weight integer NOT NULL
  , type varchar(20) NOT NULL
  , fetch_method varchar(20) NOT NULL
  , data jsonb NOT NULL
  , state varchar(10)
  , output text
  , trigger_id integer
  , id uuid NOT NULL
  , bundle_name varchar(250)
  , CONSTRAINT callback_pkey PRIMARY KEY (id)
);

ALTER TABLE public.callback OWNER TO airflow_owner;

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
  , is_encrypted boolean NOT NULL
  , is_extra_encrypted boolean NOT NULL
  , extra text
  , team_name varchar(50)
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

CREATE TABLE public.connection_test_request (
    id uuid NOT NULL
  , token varchar(64) NOT NULL
  , connection_id varchar(250) NOT NULL
  , state varchar(20) NOT NULL
  , result_message varchar(2000)
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , executor varchar(256)
  , queue varchar(256)
  , conn_type varchar(500) NOT NULL
  , host varchar(500)
  , login text
  , password text
  , schema varchar(500)
  , port integer
  , extra text
  , is_encrypted boolean DEFAULT FALSE NOT NULL
  , is_extra_encrypted boolean DEFAULT FALSE NOT NULL
  , commit_on_success boolean DEFAULT FALSE NOT NULL
  , active_connection_id varchar(250)
  , team_name varchar(50)
  , CONSTRAINT connection_test_request_pkey PRIMARY KEY (id)
);

ALTER TABLE public.connection_test_request OWNER TO airflow_owner;

CREATE TABLE public.dag (
    dag_id varchar(250) NOT NULL
  , is_paused boolean NOT NULL
  , is_stale boolean NOT NULL
  , last_parsed_time timestamp with time zone
  , last_expired timestamp with time zone
  , fileloc varchar(2000)
  , owners varchar(2000)
  , dag_display_name varchar(2000)
  , description text
  , timetable_summary text
  , timetable_description varchar(1000)
  , asset_expression json
  , max_active_tasks integer NOT NULL
  , max_active_runs integer
  , max_consecutive_failed_dag_runs integer NOT NULL
  , has_task_concurrency_limits boolean NOT NULL
  , has_import_errors boolean DEFAULT FALSE
  , next_dagrun timestamp with time zone
  , next_dagrun_data_interval_start timestamp with time zone
  , next_dagrun_data_interval_end timestamp with time zone
  , next_dagrun_create_after timestamp with time zone
  , bundle_name varchar(250) NOT NULL
  , bundle_version varchar(200)
  , relative_fileloc varchar(2000)
  , deadline json
  , last_parse_duration double precision
  , fail_fast boolean DEFAULT FALSE NOT NULL
  , exceeds_max_non_backfill boolean DEFAULT FALSE NOT NULL
  , timetable_type varchar(255) NOT NULL
  , allowed_run_types json
  , timetable_partitioned boolean DEFAULT FALSE NOT NULL
  , next_dagrun_partition_key varchar(255)
  , next_dagrun_partition_date timestamp with time zone
  , timetable_periodic boolean DEFAULT FALSE NOT NULL
  , partition_mapper_info json NOT NULL
  , CONSTRAINT dag_pkey PRIMARY KEY (dag_id)
);

ALTER TABLE public.dag OWNER TO airflow_owner;

CREATE TABLE public.dag_bundle (
    name varchar(250) NOT NULL
  , active boolean
  , version varchar(200)
  , last_refreshed timestamp with time zone
  , signed_url_template text
  , template_params json
  , CONSTRAINT dag_bundle_pkey PRIMARY KEY (name)
);

ALTER TABLE public.dag_bundle OWNER TO airflow_owner;

CREATE TABLE public.dag_bundle_team (
    dag_bundle_name varchar(250) NOT NULL
  , team_name varchar(50) NOT NULL
  , CONSTRAINT dag_bundle_team_pkey PRIMARY KEY (dag_bundle_name, team_name)
);

ALTER TABLE public.dag_bundle_team OWNER TO airflow_owner;

CREATE TABLE public.dag_code (
    fileloc varchar(2000) NOT NULL
  , last_updated timestamp with time zone NOT NULL
  , source_code text NOT NULL
  , id uuid NOT NULL
  , dag_version_id uuid NOT NULL
  , source_code_hash varchar(32) NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT dag_code_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dag_code OWNER TO airflow_owner;

CREATE TABLE public.dag_favorite (
    user_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , CONSTRAINT dag_favorite_pkey PRIMARY KEY (user_id, dag_id)
);

ALTER TABLE public.dag_favorite OWNER TO airflow_owner;

CREATE TABLE public.dag_owner_attributes (
    dag_id varchar(250) NOT NULL
  , owner varchar(500) NOT NULL
  , link varchar(500) NOT NULL
  , CONSTRAINT dag_owner_attributes_pkey PRIMARY KEY (dag_id, owner)
);

ALTER TABLE public.dag_owner_attributes OWNER TO airflow_owner;

CREATE TABLE public.dag_priority_parsing_request (
    id varchar(32) NOT NULL
  , bundle_name varchar(250) NOT NULL
  , relative_fileloc varchar(2000) NOT NULL
  , CONSTRAINT dag_priority_parsing_request_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dag_priority_parsing_request OWNER TO airflow_owner;

CREATE TABLE public.dag_run (
    id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , queued_at timestamp with time zone
  , logical_date timestamp with time zone
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , state varchar(50)
  , run_id varchar(250) NOT NULL
  , creating_job_id integer
  , run_type varchar(50) NOT NULL
  , data_interval_start timestamp with time zone
  , data_interval_end timestamp with time zone
  , last_scheduling_decision timestamp with time zone
  , log_template_id integer
  , updated_at timestamp with time zone
  , clear_number integer DEFAULT 0 NOT NULL
  , triggered_by varchar(50)
  , backfill_id integer
  , created_dag_version_id uuid
  , bundle_version varchar(250)
  , conf jsonb
  , run_after timestamp with time zone NOT NULL
  , scheduled_by_job_id integer
  , context_carrier jsonb
  , span_status varchar(250) DEFAULT CAST('not_started' AS varchar) NOT NULL
  , triggering_user_name varchar(512)
  , partition_key varchar(250)
  , created_at timestamp with time zone
  , partition_date timestamp with time zone
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
    user_id varchar(128)
  , dag_run_id integer NOT NULL
  , content varchar(1000)
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT dag_run_note_pkey PRIMARY KEY (dag_run_id)
);

ALTER TABLE public.dag_run_note OWNER TO airflow_owner;

CREATE TABLE public.dag_schedule_asset_alias_reference (
    alias_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT dsaar_pkey PRIMARY KEY (alias_id, dag_id)
);

ALTER TABLE public.dag_schedule_asset_alias_reference OWNER TO airflow_owner;

CREATE TABLE public.dag_schedule_asset_name_reference (
    name varchar(1500) NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT dsanr_pkey PRIMARY KEY (name, dag_id)
);

ALTER TABLE public.dag_schedule_asset_name_reference OWNER TO airflow_owner;

CREATE TABLE public.dag_schedule_asset_reference (
    asset_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , allow_producer_teams json
  , allow_global_producers boolean DEFAULT TRUE NOT NULL
  , CONSTRAINT dsar_pkey PRIMARY KEY (asset_id, dag_id)
);

ALTER TABLE public.dag_schedule_asset_reference OWNER TO airflow_owner;

CREATE TABLE public.dag_schedule_asset_uri_reference (
    uri varchar(1500) NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT dsaur_pkey PRIMARY KEY (uri, dag_id)
);

ALTER TABLE public.dag_schedule_asset_uri_reference OWNER TO airflow_owner;

CREATE TABLE public.dag_tag (
    name varchar(100) NOT NULL
  , dag_id varchar(250) NOT NULL
  , CONSTRAINT dag_tag_pkey PRIMARY KEY (name, dag_id)
);

ALTER TABLE public.dag_tag OWNER TO airflow_owner;

CREATE TABLE public.dag_version (
    id uuid NOT NULL
  , version_number integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , last_updated timestamp with time zone NOT NULL
  , bundle_name varchar(250)
  , bundle_version varchar(250)
  , version_data json
  , CONSTRAINT dag_version_pkey PRIMARY KEY (id)
);

ALTER TABLE public.dag_version OWNER TO airflow_owner;

CREATE TABLE public.dag_warning (
    dag_id varchar(250) NOT NULL
  , warning_type varchar(50) NOT NULL
  , message text NOT NULL
  , timestamp timestamp with time zone NOT NULL
  , CONSTRAINT dag_warning_pkey PRIMARY KEY (dag_id, warning_type)
);

ALTER TABLE public.dag_warning OWNER TO airflow_owner;

CREATE TABLE public.dagrun_asset_event (
    dag_run_id integer NOT NULL
  , event_id integer NOT NULL
  , CONSTRAINT dagrun_asset_event_pkey PRIMARY KEY (event_id, dag_run_id)
);

ALTER TABLE public.dagrun_asset_event OWNER TO airflow_owner;

CREATE SEQUENCE public.dataset_alias_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dataset_alias_id_seq OWNED BY public.asset_alias.id;

CREATE SEQUENCE public.dataset_event_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dataset_event_id_seq OWNED BY public.asset_event.id;

CREATE SEQUENCE public.dataset_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.dataset_id_seq OWNED BY public.asset.id;

CREATE TABLE public.deadline (
    id uuid NOT NULL
  , dagrun_id integer
  , deadline_time timestamp with time zone NOT NULL
  , missed boolean NOT NULL
  , callback_id uuid NOT NULL
  , deadline_alert_id uuid
  , created_at timestamp with time zone NOT NULL
  , last_updated_at timestamp with time zone NOT NULL
  , CONSTRAINT deadline_pkey PRIMARY KEY (id)
);

ALTER TABLE public.deadline OWNER TO airflow_owner;

CREATE TABLE public.deadline_alert (
    id uuid NOT NULL
  , created_at timestamp with time zone NOT NULL
  , serialized_dag_id uuid NOT NULL
  , name varchar(250)
  , description text
  , reference json NOT NULL
  , interval json NOT NULL
  , callback_def json NOT NULL
  , CONSTRAINT deadline_alert_pkey PRIMARY KEY (id)
);

ALTER TABLE public.deadline_alert OWNER TO airflow_owner;

CREATE TABLE public.hitl_detail (
    ti_id uuid NOT NULL
  , options json NOT NULL
  , subject text NOT NULL
  , body text
  , defaults json
  , multiple boolean
  , params json NOT NULL
  , assignees json
  , created_at timestamp with time zone NOT NULL
  , responded_at timestamp with time zone
  , responded_by json
  , chosen_options json
  , params_input json NOT NULL
  , CONSTRAINT hitl_detail_pkey PRIMARY KEY (ti_id)
);

ALTER TABLE public.hitl_detail OWNER TO airflow_owner;

CREATE TABLE public.hitl_detail_history (
    ti_history_id uuid NOT NULL
  , options json NOT NULL
  , subject text NOT NULL
  , body text
  , defaults json
  , multiple boolean
  , params json NOT NULL
  , assignees json
  , created_at timestamp with time zone NOT NULL
  , responded_at timestamp with time zone
  , responded_by json
  , chosen_options json
  , params_input json NOT NULL
  , CONSTRAINT hitl_detail_history_pkey PRIMARY KEY (ti_history_id)
);

ALTER TABLE public.hitl_detail_history OWNER TO airflow_owner;

CREATE TABLE public.import_error (
    id integer NOT NULL
  , timestamp timestamp with time zone
  , filename varchar(1024)
  , stacktrace text
  , bundle_name varchar(250)
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
  , event varchar(60) NOT NULL
  , logical_date timestamp with time zone
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

CREATE TABLE public.partitioned_asset_key_log (
    id integer NOT NULL
  , asset_id integer NOT NULL
  , asset_event_id integer NOT NULL
  , asset_partition_dag_run_id integer NOT NULL
  , source_partition_key varchar(250) NOT NULL
  , target_dag_id varchar(250) NOT NULL
  , target_partition_key varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT partitioned_asset_key_log_pkey PRIMARY KEY (id)
);

ALTER TABLE public.partitioned_asset_key_log OWNER TO airflow_owner;

CREATE SEQUENCE public.partitioned_asset_key_log_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.partitioned_asset_key_log_id_seq OWNED BY public.partitioned_asset_key_log.id;

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

CREATE TABLE public.revoked_token (
    jti varchar(32) NOT NULL
  , exp timestamp with time zone NOT NULL
  , CONSTRAINT revoked_token_pkey PRIMARY KEY (jti)
);

ALTER TABLE public.revoked_token OWNER TO airflow_owner;

CREATE TABLE public.serialized_dag (
    dag_id varchar(250) NOT NULL
  , data jsonb
  , data_compressed bytea
  , last_updated timestamp with time zone NOT NULL
  , dag_hash varchar(32) NOT NULL
  , id uuid NOT NULL
  , dag_version_id uuid NOT NULL
  , created_at timestamp with time zone NOT NULL
  , CONSTRAINT serialized_dag_pkey PRIMARY KEY (id)
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
  , slots integer NOT NULL
  , description text
  , include_deferred boolean NOT NULL
  , team_name varchar(50)
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

CREATE TABLE public.task_inlet_asset_reference (
    asset_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , task_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , CONSTRAINT tiar_pkey PRIMARY KEY (asset_id, dag_id, task_id)
);

ALTER TABLE public.task_inlet_asset_reference OWNER TO airflow_owner;

CREATE TABLE public.task_instance (
    task_id varchar(250) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , start_date timestamp with time zone
  , end_date timestamp with time zone
  , duration double precision
  , state varchar(20)
  , try_number integer NOT NULL
  , max_tries integer DEFAULT CAST('-1' AS integer) NOT NULL
  , hostname varchar(1000)
  , unixname varchar(1000)
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
  , external_executor_id text
  , trigger_id integer
  , trigger_timeout timestamp with time zone
  , next_method varchar(1000)
  , next_kwargs json
  , task_display_name varchar(2000)
  , id uuid NOT NULL
  , last_heartbeat_at timestamp with time zone
  , dag_version_id uuid
  , scheduled_dttm timestamp with time zone
  , context_carrier jsonb
  , span_status varchar(250) DEFAULT CAST('not_started' AS varchar) NOT NULL
  , retry_delay_override double precision
  , retry_reason varchar(500)
  , CONSTRAINT task_instance_pkey PRIMARY KEY (id)
);

ALTER TABLE public.task_instance OWNER TO airflow_owner;

CREATE TABLE public.task_instance_history (
    task_id varchar(250) NOT NULL
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
  , external_executor_id text
  , trigger_id integer
  , trigger_timeout timestamp
  , next_method varchar(1000)
  , next_kwargs json
  , task_display_name varchar(2000)
  , dag_version_id uuid
  , scheduled_dttm timestamp with time zone
  , task_instance_id uuid NOT NULL
  , context_carrier jsonb
  , span_status varchar(250) DEFAULT CAST('not_started' AS varchar) NOT NULL
  , retry_delay_override double precision
  , retry_reason varchar(500)
  , CONSTRAINT task_instance_history_pkey PRIMARY KEY (task_instance_id)
);

ALTER TABLE public.task_instance_history OWNER TO airflow_owner;

CREATE TABLE public.task_instance_note (
    user_id varchar(128)
  , content varchar(1000)
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , ti_id uuid NOT NULL
  , CONSTRAINT task_instance_note_pkey PRIMARY KEY (ti_id)
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

CREATE TABLE public.task_outlet_asset_reference (
    asset_id integer NOT NULL
  , dag_id varchar(250) NOT NULL
  , task_id varchar(250) NOT NULL
  , created_at timestamp with time zone NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , allow_consumer_teams json
  , allow_global_consumers boolean DEFAULT TRUE NOT NULL
  , CONSTRAINT toar_pkey PRIMARY KEY (asset_id, dag_id, task_id)
);

ALTER TABLE public.task_outlet_asset_reference OWNER TO airflow_owner;

CREATE TABLE public.task_reschedule (
    id integer NOT NULL
  , start_date timestamp with time zone NOT NULL
  , end_date timestamp with time zone NOT NULL
  , duration integer NOT NULL
  , reschedule_date timestamp with time zone NOT NULL
  , ti_id uuid NOT NULL
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

CREATE TABLE public.task_state_store (
    id integer NOT NULL
  , dag_run_id integer NOT NULL
  , task_id varchar(250) NOT NULL
  , map_index integer DEFAULT CAST('-1' AS integer) NOT NULL
  , key varchar(512) NOT NULL
  , dag_id varchar(250) NOT NULL
  , run_id varchar(250) NOT NULL
  , value text NOT NULL
  , updated_at timestamp with time zone NOT NULL
  , expires_at timestamp with time zone
  , CONSTRAINT task_state_store_pkey PRIMARY KEY (id)
);

ALTER TABLE public.task_state_store OWNER TO airflow_owner;

CREATE SEQUENCE public.task_state_store_id_seq
  START WITH 1
  INCREMENT BY 1
  NO MINVALUE
  NO MAXVALUE
  CACHE 1;

ALTER SEQUENCE public.task_state_store_id_seq OWNED BY public.task_state_store.id;

CREATE TABLE public.team (
    name varchar(50) NOT NULL
  , CONSTRAINT team_pkey PRIMARY KEY (name)
);

ALTER TABLE public.team OWNER TO airflow_owner;

CREATE TABLE public.trigger (
    id integer NOT NULL
  , classpath varchar(1000) NOT NULL
  , kwargs text NOT NULL
  , created_date timestamp with time zone NOT NULL
  , triggerer_id integer
  , queue varchar(256)
  , team_name varchar(50)
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
  , key varchar(250) NOT NULL
  , val text NOT NULL
  , description text
  , is_encrypted boolean NOT NULL
  , team_name varchar(50)
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
  , value jsonb
  , timestamp timestamp with time zone NOT NULL
  , dag_result boolean
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

ALTER TABLE public.asset ALTER COLUMN id SET DEFAULT nextval('public.dataset_id_seq');

ALTER TABLE public.asset_alias ALTER COLUMN id SET DEFAULT nextval('public.dataset_alias_id_seq');

ALTER TABLE public.asset_event ALTER COLUMN id SET DEFAULT nextval('public.dataset_event_id_seq');

ALTER TABLE public.asset_partition_dag_run ALTER COLUMN id SET DEFAULT nextval('public.asset_partition_dag_run_id_seq');

ALTER TABLE public.backfill ALTER COLUMN id SET DEFAULT nextval('public.backfill_id_seq');

ALTER TABLE public.backfill_dag_run ALTER COLUMN id SET DEFAULT nextval('public.backfill_dag_run_id_seq');

ALTER TABLE public.connection ALTER COLUMN id SET DEFAULT nextval('public.connection_id_seq');

ALTER TABLE public.dag_run ALTER COLUMN id SET DEFAULT nextval('public.dag_run_id_seq');

ALTER TABLE public.import_error ALTER COLUMN id SET DEFAULT nextval('public.import_error_id_seq');

ALTER TABLE public.job ALTER COLUMN id SET DEFAULT nextval('public.job_id_seq');

ALTER TABLE public.log ALTER COLUMN id SET DEFAULT nextval('public.log_id_seq');

ALTER TABLE public.log_template ALTER COLUMN id SET DEFAULT nextval('public.log_template_id_seq');

ALTER TABLE public.partitioned_asset_key_log ALTER COLUMN id SET DEFAULT nextval('public.partitioned_asset_key_log_id_seq');

ALTER TABLE public.session ALTER COLUMN id SET DEFAULT nextval('public.session_id_seq');

ALTER TABLE public.slot_pool ALTER COLUMN id SET DEFAULT nextval('public.slot_pool_id_seq');

ALTER TABLE public.task_reschedule ALTER COLUMN id SET DEFAULT nextval('public.task_reschedule_id_seq');

ALTER TABLE public.task_state_store ALTER COLUMN id SET DEFAULT nextval('public.task_state_store_id_seq');

ALTER TABLE public.trigger ALTER COLUMN id SET DEFAULT nextval('public.trigger_id_seq');

ALTER TABLE public.variable ALTER COLUMN id SET DEFAULT nextval('public.variable_id_seq');
