-- post-data rewritten by airflow_ops.metastore.metastore_rewrite
-- for cockroachdb v20.2.0; owner airflow_owner. Rules applied: see rewrite-report.json.

SET lock_timeout = 0;

SET client_encoding = 'UTF8';

SET standard_conforming_strings = on;

SET row_security = off;

SET default_tablespace = '';

ALTER TABLE public.ab_permission ADD CONSTRAINT ab_permission_name_uq UNIQUE (name);

ALTER TABLE public.ab_permission_view ADD CONSTRAINT ab_permission_view_permission_id_view_menu_id_uq UNIQUE (permission_id, view_menu_id);

ALTER TABLE public.ab_permission_view_role ADD CONSTRAINT ab_permission_view_role_permission_view_id_role_id_uq UNIQUE (permission_view_id, role_id);

ALTER TABLE public.ab_register_user ADD CONSTRAINT ab_register_user_username_uq UNIQUE (username);

ALTER TABLE public.ab_role ADD CONSTRAINT ab_role_name_uq UNIQUE (name);

ALTER TABLE public.ab_user ADD CONSTRAINT ab_user_email_uq UNIQUE (email);

ALTER TABLE public.ab_user_role ADD CONSTRAINT ab_user_role_user_id_role_id_uq UNIQUE (user_id, role_id);

ALTER TABLE public.ab_user ADD CONSTRAINT ab_user_username_uq UNIQUE (username);

ALTER TABLE public.ab_view_menu ADD CONSTRAINT ab_view_menu_name_uq UNIQUE (name);

ALTER TABLE public.connection ADD CONSTRAINT connection_conn_id_uq UNIQUE (conn_id);

ALTER TABLE public.dag_run ADD CONSTRAINT dag_run_dag_id_execution_date_key UNIQUE (dag_id, execution_date);

ALTER TABLE public.dag_run ADD CONSTRAINT dag_run_dag_id_run_id_key UNIQUE (dag_id, run_id);

ALTER TABLE public.session ADD CONSTRAINT session_session_id_key UNIQUE (session_id);

ALTER TABLE public.slot_pool ADD CONSTRAINT slot_pool_pool_uq UNIQUE (pool);

ALTER TABLE public.task_instance_history ADD CONSTRAINT task_instance_history_dtrt_uq UNIQUE (dag_id, task_id, run_id, map_index, try_number);

ALTER TABLE public.variable ADD CONSTRAINT variable_key_uq UNIQUE (key);

CREATE INDEX dag_id_state ON public.dag_run USING btree (dag_id, state);

CREATE INDEX idx_dag_run_dag_id ON public.dag_run USING btree (dag_id);

CREATE INDEX idx_dag_run_queued_dags ON public.dag_run USING btree (state, dag_id) WHERE ((state)::text = 'queued'::text);

CREATE INDEX idx_dag_run_running_dags ON public.dag_run USING btree (state, dag_id) WHERE ((state)::text = 'running'::text);

CREATE INDEX idx_dag_schedule_dataset_alias_reference_dag_id ON public.dag_schedule_dataset_alias_reference USING btree (dag_id);

CREATE INDEX idx_dag_schedule_dataset_reference_dag_id ON public.dag_schedule_dataset_reference USING btree (dag_id);

CREATE INDEX idx_dag_tag_dag_id ON public.dag_tag USING btree (dag_id);

CREATE INDEX idx_dag_warning_dag_id ON public.dag_warning USING btree (dag_id);

CREATE INDEX idx_dagrun_dataset_events_dag_run_id ON public.dagrun_dataset_event USING btree (dag_run_id);

CREATE INDEX idx_dagrun_dataset_events_event_id ON public.dagrun_dataset_event USING btree (event_id);

CREATE INDEX idx_dataset_alias_dataset_alias_dataset_id ON public.dataset_alias_dataset USING btree (dataset_id);

CREATE INDEX idx_dataset_alias_dataset_alias_id ON public.dataset_alias_dataset USING btree (alias_id);

CREATE INDEX idx_dataset_alias_dataset_event_alias_id ON public.dataset_alias_dataset_event USING btree (alias_id);

CREATE INDEX idx_dataset_alias_dataset_event_event_id ON public.dataset_alias_dataset_event USING btree (event_id);

CREATE INDEX idx_dataset_dag_run_queue_target_dag_id ON public.dataset_dag_run_queue USING btree (target_dag_id);

CREATE INDEX idx_dataset_id_timestamp ON public.dataset_event USING btree (dataset_id, "timestamp");

CREATE INDEX idx_fileloc_hash ON public.serialized_dag USING btree (fileloc_hash);

CREATE INDEX idx_job_dag_id ON public.job USING btree (dag_id);

CREATE INDEX idx_job_state_heartbeat ON public.job USING btree (state, latest_heartbeat);

CREATE INDEX idx_log_dag ON public.log USING btree (dag_id);

CREATE INDEX idx_log_dttm ON public.log USING btree (dttm);

CREATE INDEX idx_log_event ON public.log USING btree (event);

CREATE INDEX idx_log_task_instance ON public.log USING btree (dag_id, task_id, run_id, map_index, try_number);

CREATE UNIQUE INDEX idx_name_unique ON public.dataset_alias USING btree (name);

CREATE INDEX idx_next_dagrun_create_after ON public.dag USING btree (next_dagrun_create_after);

CREATE INDEX idx_root_dag_id ON public.dag USING btree (root_dag_id);

CREATE INDEX idx_task_fail_task_instance ON public.task_fail USING btree (dag_id, task_id, run_id, map_index);

CREATE INDEX idx_task_outlet_dataset_reference_dag_id ON public.task_outlet_dataset_reference USING btree (dag_id);

CREATE INDEX idx_task_reschedule_dag_run ON public.task_reschedule USING btree (dag_id, run_id);

CREATE INDEX idx_task_reschedule_dag_task_run ON public.task_reschedule USING btree (dag_id, task_id, run_id, map_index);

CREATE UNIQUE INDEX idx_uri_unique ON public.dataset USING btree (uri);

CREATE INDEX idx_xcom_key ON public.xcom USING btree (key);

CREATE INDEX idx_xcom_task_instance ON public.xcom USING btree (dag_id, task_id, run_id, map_index);

CREATE INDEX job_type_heart ON public.job USING btree (job_type, latest_heartbeat);

CREATE INDEX sm_dag ON public.sla_miss USING btree (dag_id);

CREATE INDEX ti_dag_run ON public.task_instance USING btree (dag_id, run_id);

CREATE INDEX ti_dag_state ON public.task_instance USING btree (dag_id, state);

CREATE INDEX ti_job_id ON public.task_instance USING btree (job_id);

CREATE INDEX ti_pool ON public.task_instance USING btree (pool, state, priority_weight);

CREATE INDEX ti_state ON public.task_instance USING btree (state);

CREATE INDEX ti_state_lkp ON public.task_instance USING btree (dag_id, task_id, run_id, state);

CREATE INDEX ti_trigger_id ON public.task_instance USING btree (trigger_id);

ALTER TABLE public.ab_permission_view ADD CONSTRAINT ab_permission_view_permission_id_fkey FOREIGN KEY (permission_id) REFERENCES public.ab_permission (id);

ALTER TABLE public.ab_permission_view_role ADD CONSTRAINT ab_permission_view_role_permission_view_id_fkey FOREIGN KEY (permission_view_id) REFERENCES public.ab_permission_view (id);

ALTER TABLE public.ab_permission_view_role ADD CONSTRAINT ab_permission_view_role_role_id_fkey FOREIGN KEY (role_id) REFERENCES public.ab_role (id);

ALTER TABLE public.ab_permission_view ADD CONSTRAINT ab_permission_view_view_menu_id_fkey FOREIGN KEY (view_menu_id) REFERENCES public.ab_view_menu (id);

ALTER TABLE public.ab_user ADD CONSTRAINT ab_user_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES public.ab_user (id);

ALTER TABLE public.ab_user ADD CONSTRAINT ab_user_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES public.ab_user (id);

ALTER TABLE public.ab_user_role ADD CONSTRAINT ab_user_role_role_id_fkey FOREIGN KEY (role_id) REFERENCES public.ab_role (id);

ALTER TABLE public.ab_user_role ADD CONSTRAINT ab_user_role_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.ab_user (id);

ALTER TABLE public.dag_owner_attributes ADD CONSTRAINT "dag.dag_id" FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_run_note ADD CONSTRAINT dag_run_note_dr_fkey FOREIGN KEY (dag_run_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.dag_run_note ADD CONSTRAINT dag_run_note_user_fkey FOREIGN KEY (user_id) REFERENCES public.ab_user (id);

ALTER TABLE public.dag_tag ADD CONSTRAINT dag_tag_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dagrun_dataset_event ADD CONSTRAINT dagrun_dataset_event_dag_run_id_fkey FOREIGN KEY (dag_run_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.dagrun_dataset_event ADD CONSTRAINT dagrun_dataset_event_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.dataset_event (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset ADD CONSTRAINT dataset_alias_dataset_alias_id_fkey FOREIGN KEY (alias_id) REFERENCES public.dataset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset ADD CONSTRAINT dataset_alias_dataset_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES public.dataset (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset_event ADD CONSTRAINT dataset_alias_dataset_event_alias_id_fkey FOREIGN KEY (alias_id) REFERENCES public.dataset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset_event ADD CONSTRAINT dataset_alias_dataset_event_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.dataset_event (id) ON DELETE CASCADE;

ALTER TABLE public.dag_warning ADD CONSTRAINT dcw_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dataset_dag_run_queue ADD CONSTRAINT ddrq_dag_fkey FOREIGN KEY (target_dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dataset_dag_run_queue ADD CONSTRAINT ddrq_dataset_fkey FOREIGN KEY (dataset_id) REFERENCES public.dataset (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset ADD CONSTRAINT ds_dsa_alias_id FOREIGN KEY (alias_id) REFERENCES public.dataset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset ADD CONSTRAINT ds_dsa_dataset_id FOREIGN KEY (dataset_id) REFERENCES public.dataset (id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_dataset_alias_reference ADD CONSTRAINT dsdar_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_dataset_alias_reference ADD CONSTRAINT dsdar_dataset_alias_fkey FOREIGN KEY (alias_id) REFERENCES public.dataset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_dataset_reference ADD CONSTRAINT dsdr_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_dataset_reference ADD CONSTRAINT dsdr_dataset_fkey FOREIGN KEY (dataset_id) REFERENCES public.dataset (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset_event ADD CONSTRAINT dss_de_alias_id FOREIGN KEY (alias_id) REFERENCES public.dataset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.dataset_alias_dataset_event ADD CONSTRAINT dss_de_event_id FOREIGN KEY (event_id) REFERENCES public.dataset_event (id) ON DELETE CASCADE;

ALTER TABLE public.rendered_task_instance_fields ADD CONSTRAINT rtif_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;

ALTER TABLE public.task_fail ADD CONSTRAINT task_fail_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;

ALTER TABLE public.task_instance ADD CONSTRAINT task_instance_dag_run_fkey FOREIGN KEY (dag_id, run_id) REFERENCES public.dag_run (dag_id, run_id) ON DELETE CASCADE;

ALTER TABLE public.task_instance_history ADD CONSTRAINT task_instance_history_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.dag_run ADD CONSTRAINT task_instance_log_template_id_fkey FOREIGN KEY (log_template_id) REFERENCES public.log_template (id);

ALTER TABLE public.task_instance_note ADD CONSTRAINT task_instance_note_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;

ALTER TABLE public.task_instance_note ADD CONSTRAINT task_instance_note_user_fkey FOREIGN KEY (user_id) REFERENCES public.ab_user (id);

ALTER TABLE public.task_instance ADD CONSTRAINT task_instance_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.trigger (id) ON DELETE CASCADE;

ALTER TABLE public.task_map ADD CONSTRAINT task_map_task_instance_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.task_reschedule ADD CONSTRAINT task_reschedule_dr_fkey FOREIGN KEY (dag_id, run_id) REFERENCES public.dag_run (dag_id, run_id) ON DELETE CASCADE;

ALTER TABLE public.task_reschedule ADD CONSTRAINT task_reschedule_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;

ALTER TABLE public.task_outlet_dataset_reference ADD CONSTRAINT todr_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.task_outlet_dataset_reference ADD CONSTRAINT todr_dataset_fkey FOREIGN KEY (dataset_id) REFERENCES public.dataset (id) ON DELETE CASCADE;

ALTER TABLE public.xcom ADD CONSTRAINT xcom_task_instance_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;
