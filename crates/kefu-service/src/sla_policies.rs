//! SLA policies as admins keep them: targets per priority, optionally per category. The
//! first response is never promised later than 24 hours (kefu-domain enforces it).

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use kefu_domain::{AgentRole, Priority, SlaPolicy, SlaTargets};

/// Every policy (any staff member).
pub async fn list(core: &Core, caller: &Caller) -> ServiceResult<Vec<SlaPolicy>> {
    caller.require(AgentRole::Agent)?;
    Ok(core.catalogue().sla)
}

/// Sets the targets for a priority, for one category or (without one) for all (admins).
/// New tickets use them at once; open tickets keep the targets they were opened with
/// until their category or priority changes.
pub async fn put(
    core: &Core,
    caller: &Caller,
    category: Option<&str>,
    priority: Priority,
    targets: SlaTargets,
) -> ServiceResult<SlaPolicy> {
    caller.require(AgentRole::Admin)?;
    if let Some(code) = category
        && !core.catalogue().has_category(code)
    {
        return Err(ServiceError::field(
            "category",
            format!("unknown category {code:?}"),
        ));
    }
    let targets = targets.validate().map_err(|e| {
        let field = match e {
            kefu_domain::sla::SlaError::AboveCeiling(_) => "first_response_minutes",
            _ => "targets",
        };
        ServiceError::field(field, e.to_string())
    })?;
    let policy = SlaPolicy {
        category: category.map(str::to_owned),
        priority,
        targets,
    };
    let subject = format!("sla_policy:{}:{priority}", category.unwrap_or("*"));
    let detail = serde_json::json!({
        "category": category, "priority": priority.to_string(),
        "first_response_minutes": targets.first_response_minutes,
        "next_response_minutes": targets.next_response_minutes,
        "resolution_minutes": targets.resolution_minutes,
    });
    let row = crate::audit::entry(caller, "sla_policy.changed", Some(subject), detail);
    core.store
        .upsert_sla_policy_audited(policy.clone(), crate::audit::one(row))
        .await?;
    core.reload_catalogue().await?;
    tracing::info!(
        actor = ?caller.actor(),
        sla.priority = %priority,
        sla.category = category.unwrap_or("*"),
        "SLA policy changed"
    );
    Ok(policy)
}
