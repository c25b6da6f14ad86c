//! The demo's portal accounts: one contact of a customer of each account manager, invited
//! by its account manager and with the demo password set through the invitation.

use crate::{App, Result};
use consign_domain::customer::CustomerId;

pub async fn seed(app: &App) -> Result<usize> {
    let mut n = 0;
    for owner in ["lixy", "zhaop", "chenj"] {
        let Some(u) = consign_store::users::user_by_name(&app.db.conn, owner).await? else {
            continue;
        };
        let Some((customer, contact)) =
            consign_store::portal::demo_candidate(&app.db.conn, u.id).await?
        else {
            continue;
        };
        let actor = crate::auth::actor_for(app, &u, None).await?;
        let i = crate::portal::invite(app, &actor, CustomerId::trusted(customer), contact).await?;
        let token = i.link.rsplit('/').next().unwrap_or_default();
        crate::portal::accept(app, token, super::DEMO_PASSWORD).await?;
        n += 1;
    }
    Ok(n)
}

/// A shipment to try public tracking with: (waybill number, last four digits of the
/// consignee's phone).
pub async fn tracking_example(app: &App) -> Result<Option<(String, String)>> {
    Ok(consign_store::tracking::example(&app.db.conn).await?)
}

/// The portal accounts to print with the other logins: (sign-in name, person, company).
pub async fn logins(app: &App) -> Result<Vec<(String, String, String)>> {
    Ok(consign_store::portal::all_with_company(&app.db.conn).await?)
}
