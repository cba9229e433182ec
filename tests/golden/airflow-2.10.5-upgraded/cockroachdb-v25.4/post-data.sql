-- post-data rewritten by airflow_ops.metastore.metastore_rewrite
-- for cockroachdb v25.4.0; owner: none (objects belong to the user that loads them). Rules applied: see rewrite-report.json.

SET lock_timeout = 0;

SET client_encoding = 'UTF8';

SET standard_conforming_strings = on;

SELECT pg_catalog.set_config('search_path', '', false);

SET check_function_bodies = false;

SET xmloption = content;

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

ALTER TABLE public.connection_test_request ADD CONSTRAINT connection_test_request_token_uq UNIQUE (token);

ALTER TABLE public.dag_code ADD CONSTRAINT dag_code_dag_version_id_uq UNIQUE (dag_version_id);

ALTER TABLE public.dag_version ADD CONSTRAINT dag_id_v_name_v_number_unique_constraint UNIQUE (dag_id, version_number);

ALTER TABLE public.dag_run ADD CONSTRAINT dag_run_dag_id_logical_date_key UNIQUE (dag_id, logical_date);

ALTER TABLE public.dag_run ADD CONSTRAINT dag_run_dag_id_run_id_key UNIQUE (dag_id, run_id);

ALTER TABLE public.backfill_dag_run ADD CONSTRAINT ix_bdr_backfill_id_dag_run_id UNIQUE (backfill_id, dag_run_id);

ALTER TABLE public.serialized_dag ADD CONSTRAINT serialized_dag_dag_version_id_uq UNIQUE (dag_version_id);

ALTER TABLE public.session ADD CONSTRAINT session_session_id_key UNIQUE (session_id);

ALTER TABLE public.slot_pool ADD CONSTRAINT slot_pool_pool_uq UNIQUE (pool);

ALTER TABLE public.task_instance ADD CONSTRAINT task_instance_composite_key UNIQUE (dag_id, task_id, run_id, map_index);

ALTER TABLE public.task_instance_history ADD CONSTRAINT task_instance_history_dtrt_uq UNIQUE (dag_id, task_id, run_id, map_index, try_number);

ALTER TABLE public.task_state_store ADD CONSTRAINT task_state_store_uq UNIQUE (dag_run_id, task_id, map_index, key);

ALTER TABLE public.connection_test_request ADD CONSTRAINT uq_connection_test_request_active_conn UNIQUE (active_connection_id);

ALTER TABLE public.variable ADD CONSTRAINT variable_key_uq UNIQUE (key);

CREATE INDEX dag_id_state ON public.dag_run USING btree (dag_id, state);

CREATE INDEX deadline_callback_id_idx ON public.deadline USING btree (callback_id);

CREATE INDEX deadline_missed_deadline_time_idx ON public.deadline USING btree (missed, deadline_time);

CREATE UNIQUE INDEX idx_ab_register_user_username ON public.ab_register_user USING btree (lower((username)::text));

CREATE UNIQUE INDEX idx_ab_user_username ON public.ab_user USING btree (lower((username)::text));

CREATE UNIQUE INDEX idx_asset_active_name_unique ON public.asset_active USING btree (name);

CREATE UNIQUE INDEX idx_asset_active_uri_unique ON public.asset_active USING btree (uri);

CREATE INDEX idx_asset_alias_asset_alias_id ON public.asset_alias_asset USING btree (alias_id);

CREATE INDEX idx_asset_alias_asset_asset_id ON public.asset_alias_asset USING btree (asset_id);

CREATE INDEX idx_asset_alias_asset_event_alias_id ON public.asset_alias_asset_event USING btree (alias_id);

CREATE INDEX idx_asset_alias_asset_event_event_id ON public.asset_alias_asset_event USING btree (event_id);

CREATE UNIQUE INDEX idx_asset_alias_name_unique ON public.asset_alias USING btree (name);

CREATE INDEX idx_asset_dag_run_queue_target_dag_id ON public.asset_dag_run_queue USING btree (target_dag_id);

CREATE INDEX idx_asset_id_timestamp ON public.asset_event USING btree (asset_id, "timestamp");

CREATE UNIQUE INDEX idx_asset_name_uri_unique ON public.asset USING btree (name, uri);

CREATE INDEX idx_awm_trigger_id ON public.asset_watcher USING btree (trigger_id);

CREATE INDEX idx_connection_test_request_state_created_at ON public.connection_test_request USING btree (state, created_at);

CREATE UNIQUE INDEX idx_dag_bundle_team_dag_bundle_name ON public.dag_bundle_team USING btree (dag_bundle_name);

CREATE INDEX idx_dag_bundle_team_team_name ON public.dag_bundle_team USING btree (team_name);

CREATE INDEX idx_dag_run_created_dag_version_id ON public.dag_run USING btree (created_dag_version_id);

CREATE INDEX idx_dag_run_dag_id ON public.dag_run USING btree (dag_id);

CREATE INDEX idx_dag_run_queued_dags ON public.dag_run USING btree (state, dag_id) WHERE ((state)::text = 'queued'::text);

CREATE INDEX idx_dag_run_run_after ON public.dag_run USING btree (run_after);

CREATE INDEX idx_dag_run_running_dags ON public.dag_run USING btree (state, dag_id) WHERE ((state)::text = 'running'::text);

CREATE INDEX idx_dag_schedule_asset_alias_reference_dag_id ON public.dag_schedule_asset_alias_reference USING btree (dag_id);

CREATE INDEX idx_dag_schedule_asset_name_reference_dag_id ON public.dag_schedule_asset_name_reference USING btree (dag_id);

CREATE INDEX idx_dag_schedule_asset_reference_dag_id ON public.dag_schedule_asset_reference USING btree (dag_id);

CREATE INDEX idx_dag_schedule_asset_uri_reference_dag_id ON public.dag_schedule_asset_uri_reference USING btree (dag_id);

CREATE INDEX idx_dag_tag_dag_id ON public.dag_tag USING btree (dag_id);

CREATE INDEX idx_dag_warning_dag_id ON public.dag_warning USING btree (dag_id);

CREATE INDEX idx_dagrun_asset_events_dag_run_id ON public.dagrun_asset_event USING btree (dag_run_id);

CREATE INDEX idx_dagrun_asset_events_event_id ON public.dagrun_asset_event USING btree (event_id);

CREATE INDEX idx_job_dag_id ON public.job USING btree (dag_id);

CREATE INDEX idx_job_state_heartbeat ON public.job USING btree (state, latest_heartbeat);

CREATE INDEX idx_log_dttm ON public.log USING btree (dttm);

CREATE INDEX idx_log_event ON public.log USING btree (event);

CREATE INDEX idx_log_task_instance ON public.log USING btree (dag_id, task_id, run_id, map_index, try_number);

CREATE INDEX idx_next_dagrun_create_after ON public.dag USING btree (next_dagrun_create_after);

CREATE INDEX idx_pakl_apdr_id ON public.partitioned_asset_key_log USING btree (asset_partition_dag_run_id);

CREATE INDEX idx_revoked_token_exp ON public.revoked_token USING btree (exp);

CREATE INDEX idx_task_inlet_asset_reference_dag_id ON public.task_inlet_asset_reference USING btree (dag_id);

CREATE INDEX idx_task_outlet_asset_reference_dag_id ON public.task_outlet_asset_reference USING btree (dag_id);

CREATE INDEX idx_task_reschedule_ti_id_id_desc ON public.task_reschedule USING btree (ti_id, id DESC);

CREATE INDEX idx_task_state_store_expires_at ON public.task_state_store USING btree (expires_at);

CREATE INDEX idx_task_state_store_lookup ON public.task_state_store USING btree (dag_id, run_id, task_id, map_index);

CREATE INDEX idx_tih_dag_run ON public.task_instance_history USING btree (dag_id, run_id);

CREATE INDEX idx_trigger_team_name ON public.trigger USING btree (team_name);

CREATE INDEX idx_xcom_key ON public.xcom USING btree (key);

CREATE INDEX idx_xcom_task_instance ON public.xcom USING btree (dag_id, task_id, run_id, map_index);

CREATE INDEX job_type_heart ON public.job USING btree (job_type, latest_heartbeat);

CREATE INDEX sm_dag ON public.sla_miss USING btree (dag_id);

CREATE INDEX ti_dag_run ON public.task_instance USING btree (dag_id, run_id);

CREATE INDEX ti_dag_state ON public.task_instance USING btree (dag_id, state);

CREATE INDEX ti_dag_version_id ON public.task_instance USING btree (dag_version_id);

CREATE INDEX ti_heartbeat ON public.task_instance USING btree (last_heartbeat_at);

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

ALTER TABLE public.asset_dag_run_queue ADD CONSTRAINT adrq_asset_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.asset_dag_run_queue ADD CONSTRAINT adrq_dag_fkey FOREIGN KEY (target_dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.asset_partition_dag_run ADD CONSTRAINT apdr_created_dag_run_id_fkey FOREIGN KEY (created_dag_run_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.asset_active ADD CONSTRAINT asset_active_asset_name_uri_fkey FOREIGN KEY (name, uri) REFERENCES public.asset (name, uri) ON DELETE CASCADE;

ALTER TABLE public.asset_alias_asset ADD CONSTRAINT asset_alias_asset_alias_id_fkey FOREIGN KEY (alias_id) REFERENCES public.asset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.asset_alias_asset ADD CONSTRAINT asset_alias_asset_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.asset_alias_asset_event ADD CONSTRAINT asset_alias_asset_event_alias_id_fkey FOREIGN KEY (alias_id) REFERENCES public.asset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.asset_alias_asset_event ADD CONSTRAINT asset_alias_asset_event_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.asset_event (id) ON DELETE CASCADE;

ALTER TABLE public.asset_state_store ADD CONSTRAINT asset_state_store_asset_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.asset_watcher ADD CONSTRAINT awm_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.asset_watcher ADD CONSTRAINT awm_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.trigger (id) ON DELETE CASCADE;

ALTER TABLE public.backfill_dag_run ADD CONSTRAINT bdr_backfill_fkey FOREIGN KEY (backfill_id) REFERENCES public.backfill (id) ON DELETE CASCADE;

ALTER TABLE public.backfill_dag_run ADD CONSTRAINT bdr_dag_run_fkey FOREIGN KEY (dag_run_id) REFERENCES public.dag_run (id) ON DELETE SET NULL;

ALTER TABLE public.callback ADD CONSTRAINT callback_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.trigger (id);

ALTER TABLE public.connection ADD CONSTRAINT connection_team_name_fkey FOREIGN KEY (team_name) REFERENCES public.team (name) ON DELETE SET NULL;

ALTER TABLE public.dag_run ADD CONSTRAINT created_dag_version_id_fkey FOREIGN KEY (created_dag_version_id) REFERENCES public.dag_version (id) ON DELETE SET NULL;

ALTER TABLE public.dag_owner_attributes ADD CONSTRAINT "dag.dag_id" FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag ADD CONSTRAINT dag_bundle_name_fkey FOREIGN KEY (bundle_name) REFERENCES public.dag_bundle (name);

ALTER TABLE public.dag_bundle_team ADD CONSTRAINT dag_bundle_team_dag_bundle_name_fkey FOREIGN KEY (dag_bundle_name) REFERENCES public.dag_bundle (name) ON DELETE CASCADE;

ALTER TABLE public.dag_bundle_team ADD CONSTRAINT dag_bundle_team_team_name_fkey FOREIGN KEY (team_name) REFERENCES public.team (name) ON DELETE CASCADE;

ALTER TABLE public.dag_code ADD CONSTRAINT dag_code_dag_version_id_fkey FOREIGN KEY (dag_version_id) REFERENCES public.dag_version (id) ON DELETE CASCADE;

ALTER TABLE public.dag_favorite ADD CONSTRAINT dag_favorite_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_run ADD CONSTRAINT dag_run_backfill_id_fkey FOREIGN KEY (backfill_id) REFERENCES public.backfill (id);

ALTER TABLE public.dag_run_note ADD CONSTRAINT dag_run_note_dr_fkey FOREIGN KEY (dag_run_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.dag_tag ADD CONSTRAINT dag_tag_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_version ADD CONSTRAINT dag_version_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dagrun_asset_event ADD CONSTRAINT dagrun_asset_event_dag_run_id_fkey FOREIGN KEY (dag_run_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.dagrun_asset_event ADD CONSTRAINT dagrun_asset_event_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.asset_event (id) ON DELETE CASCADE;

ALTER TABLE public.dag_warning ADD CONSTRAINT dcw_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.deadline_alert ADD CONSTRAINT deadline_alert_serialized_dag_id_fkey FOREIGN KEY (serialized_dag_id) REFERENCES public.serialized_dag (id) ON DELETE CASCADE;

ALTER TABLE public.deadline ADD CONSTRAINT deadline_callback_id_fkey FOREIGN KEY (callback_id) REFERENCES public.callback (id) ON DELETE CASCADE;

ALTER TABLE public.deadline ADD CONSTRAINT deadline_dagrun_id_fkey FOREIGN KEY (dagrun_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.deadline ADD CONSTRAINT deadline_deadline_alert_id_fkey FOREIGN KEY (deadline_alert_id) REFERENCES public.deadline_alert (id) ON DELETE SET NULL;

ALTER TABLE public.dag_schedule_asset_alias_reference ADD CONSTRAINT dsaar_asset_alias_fkey FOREIGN KEY (alias_id) REFERENCES public.asset_alias (id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_asset_alias_reference ADD CONSTRAINT dsaar_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_asset_name_reference ADD CONSTRAINT dsanr_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_asset_reference ADD CONSTRAINT dsar_asset_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_asset_reference ADD CONSTRAINT dsar_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.dag_schedule_asset_uri_reference ADD CONSTRAINT dsaur_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.hitl_detail_history ADD CONSTRAINT hitl_detail_history_tih_fkey FOREIGN KEY (ti_history_id) REFERENCES public.task_instance_history (task_instance_id) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.hitl_detail ADD CONSTRAINT hitl_detail_ti_fkey FOREIGN KEY (ti_id) REFERENCES public.task_instance (id) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.rendered_task_instance_fields ADD CONSTRAINT rtif_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;

ALTER TABLE public.serialized_dag ADD CONSTRAINT serialized_dag_dag_version_id_fkey FOREIGN KEY (dag_version_id) REFERENCES public.dag_version (id) ON DELETE CASCADE;

ALTER TABLE public.slot_pool ADD CONSTRAINT slot_pool_team_name_fkey FOREIGN KEY (team_name) REFERENCES public.team (name) ON DELETE SET NULL;

ALTER TABLE public.task_instance ADD CONSTRAINT task_instance_dag_run_fkey FOREIGN KEY (dag_id, run_id) REFERENCES public.dag_run (dag_id, run_id) ON DELETE CASCADE;

ALTER TABLE public.task_instance ADD CONSTRAINT task_instance_dag_version_id_fkey FOREIGN KEY (dag_version_id) REFERENCES public.dag_version (id) ON DELETE RESTRICT;

ALTER TABLE public.task_instance_history ADD CONSTRAINT task_instance_history_ti_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.dag_run ADD CONSTRAINT task_instance_log_template_id_fkey FOREIGN KEY (log_template_id) REFERENCES public.log_template (id);

ALTER TABLE public.task_instance_note ADD CONSTRAINT task_instance_note_ti_fkey FOREIGN KEY (ti_id) REFERENCES public.task_instance (id) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.task_instance ADD CONSTRAINT task_instance_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES public.trigger (id) ON DELETE CASCADE;

ALTER TABLE public.task_map ADD CONSTRAINT task_map_task_instance_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE public.task_reschedule ADD CONSTRAINT task_reschedule_ti_fkey FOREIGN KEY (ti_id) REFERENCES public.task_instance (id) ON DELETE CASCADE;

ALTER TABLE public.task_state_store ADD CONSTRAINT task_state_store_dag_run_fkey FOREIGN KEY (dag_run_id) REFERENCES public.dag_run (id) ON DELETE CASCADE;

ALTER TABLE public.task_inlet_asset_reference ADD CONSTRAINT tiar_asset_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.task_inlet_asset_reference ADD CONSTRAINT tiar_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.task_outlet_asset_reference ADD CONSTRAINT toar_asset_fkey FOREIGN KEY (asset_id) REFERENCES public.asset (id) ON DELETE CASCADE;

ALTER TABLE public.task_outlet_asset_reference ADD CONSTRAINT toar_dag_id_fkey FOREIGN KEY (dag_id) REFERENCES public.dag (dag_id) ON DELETE CASCADE;

ALTER TABLE public.trigger ADD CONSTRAINT trigger_team_name_fkey FOREIGN KEY (team_name) REFERENCES public.team (name) ON DELETE SET NULL;

ALTER TABLE public.variable ADD CONSTRAINT variable_team_name_fkey FOREIGN KEY (team_name) REFERENCES public.team (name) ON DELETE SET NULL;

ALTER TABLE public.xcom ADD CONSTRAINT xcom_task_instance_fkey FOREIGN KEY (dag_id, task_id, run_id, map_index) REFERENCES public.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE;
