//! The skills extension's methods, and the skill files `resources/list` and
//! `resources/read` serve beside the server's own resources.

use serde_json::value::RawValue;

use super::{Dispatcher, parse_params};
use crate::engine::Cacheable;
use crate::engine::lists::ListCache;
use crate::engine::skills::{SkillError, Skills};
use crate::handler::error::McpError;
use crate::protocol::{
    DirectoryReadParams, Era, ErrorObject, GetSkillResult, Method, ResourceUriParams,
};

/// Runs a skills operation, which reads the disk, off the async workers.
async fn blocking<T: Send + 'static>(
    skills: &Skills,
    operation: impl FnOnce(&Skills) -> Result<T, SkillError> + Send + 'static,
) -> Result<T, SkillError> {
    let skills = skills.clone();
    tokio::task::spawn_blocking(move || operation(&skills))
        .await
        .unwrap_or_else(|e| {
            Err(SkillError::Io {
                path: Default::default(),
                error: std::io::Error::other(e),
            })
        })
}

impl Dispatcher {
    /// `skills/list`, `skills/get` and `resources/directory/read`; -32601 on a server
    /// without skills.
    pub(super) async fn route_skills(
        &self,
        era: Era,
        method: &Method,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let Some(skills) = &self.skills else {
            return Err(ErrorObject::method_not_found(method.as_str()));
        };
        let page_size = self.page_size;
        match method {
            Method::SkillsList => {
                let cursor = super::route::cursor(params)?;
                let page = blocking(skills, move |s| s.list(cursor.as_deref(), page_size)).await?;
                self.reply(era, Some(Cacheable::SkillsList), &page)
            }
            Method::SkillsGet => {
                let ResourceUriParams { uri } = parse_params(params)?;
                let target = uri.clone();
                let skill = blocking(skills, move |s| s.get(&target)).await?;
                self.reply(
                    era,
                    Some(Cacheable::Skill { uri: &uri }),
                    &GetSkillResult { skill },
                )
            }
            Method::ResourcesDirectoryRead => {
                let DirectoryReadParams { uri, cursor } = parse_params(params)?;
                let target = uri.clone();
                let page = blocking(skills, move |s| {
                    s.directory(&target, cursor.as_deref(), page_size)
                })
                .await?;
                self.reply(era, Some(Cacheable::DirectoryRead { uri: &uri }), &page)
            }
            other => Err(ErrorObject::method_not_found(other.as_str())),
        }
    }

    /// `resources/list` with skills: the server's resources, then each skill's `SKILL.md`,
    /// read now. Skills that cannot be read (a missing directory) leave the server's own
    /// resources listed: `skills/list` reports the error.
    pub(super) async fn resources_with_skills(
        &self,
        era: Era,
        skills: &Skills,
        cursor: Option<String>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let manifests = blocking(skills, Skills::manifests)
            .await
            .unwrap_or_else(|error| {
                tracing::error!(%error, "skills left out of resources/list");
                Vec::new()
            });
        let mut all = self.handle.registry().resources();
        all.extend(manifests);
        let list = ListCache::new("resources", &all, |r| &r.uri);
        let page = list.page(cursor.as_deref(), self.page_size, |_| false)?;
        self.reply_page(era, Cacheable::ResourcesList, &page)
    }

    /// `resources/read` of a `skill://` file.
    pub(super) async fn read_skill_file(
        &self,
        era: Era,
        skills: &Skills,
        uri: String,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let target = uri.clone();
        let result =
            blocking(skills, move |s| s.read(&target))
                .await
                .map_err(|error| match error {
                    SkillError::NotFound(_) => McpError::resource_not_found(&uri).0,
                    error => error.into(),
                })?;
        self.reply_large(era, Some(Cacheable::ResourceRead { uri: &uri }), &result)
    }
}
