//! `tasks/get`, `tasks/update` and `tasks/cancel`. A task is found only by the principal that
//! created it (anyone, when the application authenticates no one); to anyone else it does not
//! exist, so its id reveals nothing.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::live::Ending;
use super::{TaskRecord, Tasks};
use crate::engine::cluster::BusMessage;
use crate::engine::input::check_answer;
use crate::protocol::{ErrorObject, Method, TaskIdParams, UpdateTaskParams};

fn params<T: DeserializeOwned>(params: Option<&Value>) -> Result<T, ErrorObject> {
    let params = params.cloned().unwrap_or(Value::Object(Default::default()));
    serde_json::from_value(params).map_err(ErrorObject::invalid_params)
}

fn not_found() -> ErrorObject {
    ErrorObject::invalid_params("Failed to retrieve task: Task not found")
}

/// Refuses answers of the wrong shape for the requests `task` waits for (-32602), as
/// [`LiveTask::answer`](super::LiveTask::answer) does; keys it does not wait for are ignored.
fn check_answers(task: &TaskRecord, responses: &Map<String, Value>) -> Result<(), ErrorObject> {
    for (key, answer) in responses {
        if let Some(request) = task.input_requests.get(key) {
            check_answer(&request.method, answer).map_err(|problem| {
                ErrorObject::invalid_params(format!("inputResponses.{key}: {problem}"))
            })?;
        }
    }
    Ok(())
}

impl Tasks {
    /// The task `id` as `principal` may see it.
    async fn find(&self, id: &str, principal: Option<&str>) -> Result<TaskRecord, ErrorObject> {
        match self.config.store.load(id).await {
            Ok(Some(task)) if task.is_visible_to(principal) => Ok(task),
            Ok(Some(_)) => {
                tracing::warn!(task = id, "a caller asked for a task of another principal");
                Err(not_found())
            }
            Ok(None) => Err(not_found()),
            Err(e) => Err(ErrorObject::internal(format!("task store: {e}"))),
        }
    }

    /// Answers one of the extension's methods for `principal`.
    pub(crate) async fn serve(
        self: &Arc<Self>,
        method: &Method,
        raw_params: Option<&Value>,
        principal: Option<&str>,
    ) -> Result<Value, ErrorObject> {
        match method {
            Method::TasksGet => {
                let TaskIdParams { task_id } = params(raw_params)?;
                let task = self.find(&task_id, principal).await?;
                Ok(task.detailed())
            }
            Method::TasksUpdate => {
                let UpdateTaskParams {
                    task_id,
                    input_responses,
                } = params(raw_params)?;
                let task = self.find(&task_id, principal).await?;
                match self.live(&task_id) {
                    Some(live) => {
                        live.answer(input_responses).await?;
                    }
                    None if task.status.is_terminal() => {}
                    None => {
                        // Checked here as the running node would, so a bad answer is refused
                        // to its sender; the answers then travel to the node running the task.
                        check_answers(&task, &input_responses)?;
                        let message = BusMessage::TaskUpdate {
                            task: task_id.clone(),
                            responses: input_responses,
                        };
                        match self.tell(message).await {
                            Ok(true) => {}
                            Ok(false) => tracing::warn!(
                                task = %task_id,
                                "tasks/update for a task that runs in another process, without a cluster to reach it"
                            ),
                            // The answers went nowhere: the client may send them again.
                            Err(e) => {
                                return Err(ErrorObject::internal(format!(
                                    "could not reach the node running this task: {e}"
                                )));
                            }
                        }
                    }
                }
                Ok(Value::Object(Default::default()))
            }
            Method::TasksCancel => {
                let TaskIdParams { task_id } = params(raw_params)?;
                let mut task = self.find(&task_id, principal).await?;
                if task.status.is_terminal() {
                    return Ok(Value::Object(Default::default())); // idempotent
                }
                match self.live(&task_id) {
                    Some(live) => {
                        live.finish(Ending::Cancelled("cancelled by the client"))
                            .await;
                        live.cancel.cancel();
                    }
                    None => {
                        // Recorded here (a shared store keeps a terminal task terminal, so the
                        // running node's late ending cannot undo it), then the node running
                        // it, if any, stops its work.
                        Ending::Cancelled("cancelled by the client").apply(&mut task);
                        if let Err(e) = self.config.store.save(&task).await {
                            return Err(ErrorObject::internal(format!("task store: {e}")));
                        }
                        // A bus failure is logged: the task is cancelled all the same (its
                        // node's later writes are refused), only its work runs on.
                        let _ = self
                            .tell(BusMessage::TaskCancel {
                                task: task_id.clone(),
                            })
                            .await;
                    }
                }
                Ok(Value::Object(Default::default()))
            }
            // `tasks/result` and `tasks/list` of the 2025-11-25 design are gone.
            other => Err(ErrorObject::method_not_found(other.as_str())),
        }
    }
}
