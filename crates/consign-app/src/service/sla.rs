//! The SLA policy: reading and setting it, and the policy as a form (field names, values, errors).

#[allow(unused_imports)]
use super::*;

// ---- policy ----

/// The SLA policy, for staff.
pub async fn sla_policy(app: &App, actor: &Actor) -> Result<SlaPolicy> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    sla_in_force(app).await
}

pub(crate) async fn sla_in_force(app: &App) -> Result<SlaPolicy> {
    crate::policies::load(app, POLICY_SLA).await
}

/// Stores a new SLA policy (admins), after checking every field; audited. Deadlines of
/// tickets already open stay as they were given.
pub async fn set_sla_policy(app: &App, actor: &Actor, p: &SlaPolicy) -> Result<SlaPolicy> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let problems = p.validate();
    if !problems.is_empty() {
        let mut e = FieldErrors::new();
        for x in problems {
            e.add(x.field, x.key);
        }
        return Err(AppError::Validation(e));
    }
    let before = sla_in_force(app).await?;
    crate::policies::store(app, actor, POLICY_SLA, &before, p).await?;
    Ok(p.clone())
}

// ---- the policy as a form ----

/// The form's field of a target: `t_{class}_{severity}_{first|resolution}` (minutes).
pub fn target_field(vc: ValueClass, sev: Severity, first: bool) -> String {
    format!(
        "t_{}_{}_{}",
        vc.as_str(),
        sev.as_str(),
        if first { "first" } else { "resolution" }
    )
}

/// The policy's values as the form shows them.
pub fn sla_form_values(p: &SlaPolicy) -> std::collections::HashMap<String, String> {
    let mut v = std::collections::HashMap::new();
    for vc in ValueClass::ALL {
        for sev in Severity::ALL {
            let t = p.target(Some(*vc), None, *sev);
            let base = p
                .targets
                .get(vc.as_str())
                .and_then(|r| r.get(sev.as_str()))
                .copied()
                .unwrap_or(t);
            v.insert(
                target_field(*vc, *sev, true),
                base.first_response_minutes.to_string(),
            );
            v.insert(
                target_field(*vc, *sev, false),
                base.resolution_minutes.to_string(),
            );
        }
    }
    for g in Grade::ALL {
        v.insert(
            format!("g_{}", g.as_str()),
            p.grade_percent
                .get(g.as_str())
                .copied()
                .unwrap_or(100)
                .to_string(),
        );
    }
    for s in &p.calendar_severities {
        v.insert(format!("clock_{s}"), "on".into());
    }
    v.insert("unclassified_as".into(), p.unclassified_as.clone());
    v.insert("day_start".into(), p.calendar.day_start.clone());
    v.insert("day_end".into(), p.calendar.day_end.clone());
    for d in &p.calendar.workdays {
        v.insert(format!("wd_{d}"), "on".into());
    }
    let dates = |ds: &[chrono::NaiveDate]| {
        ds.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    v.insert("holidays".into(), dates(&p.calendar.holidays));
    v.insert("extra_workdays".into(), dates(&p.calendar.extra_workdays));
    v
}

/// The policy a submitted form describes, every bad field named (form field names).
pub fn sla_from_form(get: &dyn Fn(&str) -> String) -> Result<SlaPolicy> {
    use consign_domain::service::{Calendar, Target};
    let mut e = FieldErrors::new();
    let mut p = SlaPolicy {
        targets: Default::default(),
        grade_percent: Default::default(),
        calendar_severities: Vec::new(),
        unclassified_as: get("unclassified_as").trim().to_string(),
        calendar: Calendar {
            day_start: get("day_start").trim().to_string(),
            day_end: get("day_end").trim().to_string(),
            workdays: (1..=7u8)
                .filter(|d| !get(&format!("wd_{d}")).is_empty())
                .collect(),
            holidays: Vec::new(),
            extra_workdays: Vec::new(),
        },
    };
    let num = |f: &str, e: &mut FieldErrors| -> i64 {
        match get(f).trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                e.add(f, "err.integer_format");
                0
            }
        }
    };
    for vc in ValueClass::ALL {
        let mut row = std::collections::BTreeMap::new();
        for sev in Severity::ALL {
            let f = num(&target_field(*vc, *sev, true), &mut e);
            let r = num(&target_field(*vc, *sev, false), &mut e);
            row.insert(
                sev.as_str().to_string(),
                Target {
                    first_response_minutes: f,
                    resolution_minutes: r,
                },
            );
        }
        p.targets.insert(vc.as_str().to_string(), row);
    }
    for g in Grade::ALL {
        let f = format!("g_{}", g.as_str());
        let v = num(&f, &mut e);
        if v != 100 {
            p.grade_percent.insert(g.as_str().to_string(), v);
        }
    }
    for s in Severity::ALL {
        if !get(&format!("clock_{}", s.as_str())).is_empty() {
            p.calendar_severities.push(s.as_str().to_string());
        }
    }
    let dates = |field: &str, e: &mut FieldErrors| -> Vec<chrono::NaiveDate> {
        let mut out = Vec::new();
        for part in get(field)
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|s| !s.is_empty())
        {
            match chrono::NaiveDate::parse_from_str(part, "%Y-%m-%d") {
                Ok(d) => out.push(d),
                Err(_) => e.add(field, "err.date_format"),
            }
        }
        out.sort();
        out.dedup();
        out
    };
    p.calendar.holidays = dates("holidays", &mut e);
    p.calendar.extra_workdays = dates("extra_workdays", &mut e);
    // The policy's own checks, named by the form's fields.
    for x in p.validate() {
        let field = form_field_of(&x.field);
        if e.get(&field).is_none() {
            e.add(field, x.key);
        }
    }
    e.into_result()?;
    Ok(p)
}

/// The form field of a policy path (`targets.a.high.resolution_minutes` →
/// `t_a_high_resolution`).
pub(crate) fn form_field_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["targets", vc, sev, which] => format!(
            "t_{vc}_{sev}_{}",
            if which.starts_with("first") {
                "first"
            } else {
                "resolution"
            }
        ),
        ["grade_percent", g] => format!("g_{g}"),
        ["calendar", f] => match *f {
            "workdays" => "workdays".into(),
            other => other.to_string(),
        },
        _ => path.to_string(),
    }
}
