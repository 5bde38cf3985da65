//! Shared projects (docs/rules.md §9): a project owned by one user, shared inside the tenant with
//! members who each have a role. A shared project is its owner's, by identity: a
//! member's entry belongs to it only when it names it as `OWNER/Name` (see
//! [`super::names::project_ref`]) and was logged while the member could log on it; a
//! member's own project of the same name stays theirs. Pure rules; the store keeps one
//! document per shared project and the handlers ask these functions what a caller may do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A member's role, weakest first (the order is the permission order).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees the project's entries of every member in reports.
    Viewer,
    /// Also logs time on the project.
    Contributor,
    /// Also edits the project's metadata and members.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Contributor => "contributor",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Self::Viewer),
            "contributor" => Ok(Self::Contributor),
            "admin" => Ok(Self::Admin),
            _ => Err(format!("role {s:?} is not one of viewer, contributor, admin")),
        }
    }
}

/// What a user is to a shared project: its owner (every right, cannot be removed) or a
/// member with a role.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    Owner,
    Member(Role),
}

impl Standing {
    pub fn can_log_time(self) -> bool {
        self >= Standing::Member(Role::Contributor)
    }

    pub fn can_administer(self) -> bool {
        self >= Standing::Member(Role::Admin)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Member(role) => role.as_str(),
        }
    }
}

impl PartialOrd for Standing {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Standing {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |s: &Standing| match s {
            Standing::Member(role) => *role as u8,
            Standing::Owner => u8::MAX,
        };
        rank(self).cmp(&rank(other))
    }
}

/// A project shared inside a tenant. Its metadata stays with the owner's project; this
/// document says who else may see it and log on it. `revision` makes membership changes
/// optimistic: a save names the revision it read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedProject {
    /// The project's display name (as the owner spells it).
    pub name: String,
    pub owner: String,
    pub members: BTreeMap<String, Role>,
    /// Members who left or were removed: the time they logged while members still
    /// counts in the project's reports.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub former_members: BTreeSet<String>,
    pub revision: u64,
    pub updated_at: DateTime<Utc>,
}

impl SharedProject {
    pub fn standing(&self, user: &str) -> Option<Standing> {
        if user == self.owner {
            return Some(Standing::Owner);
        }
        self.members.get(user).map(|r| Standing::Member(*r))
    }

    /// How a member's entry names this project: `OWNER/Name`.
    pub fn log_as(&self) -> String {
        super::names::qualified_name(&self.owner, &self.name)
    }

    /// True when this is `owner`'s project `name` (names ignore case; so does the owner's
    /// id in an `OWNER/Name` someone typed, as the project's key does).
    pub fn is(&self, owner: &str, name: &str) -> bool {
        self.owner.eq_ignore_ascii_case(owner)
            && super::names::project_key(&self.name) == super::names::project_key(name)
    }

    /// Users whose entries may belong to the project: the owner (entries naming it
    /// plainly) and every member, present or former (entries naming it `OWNER/Name`,
    /// which only someone who could log on it was let store).
    pub fn authors(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.owner.as_str())
            .chain(self.members.keys().map(String::as_str))
            .chain(self.former_members.iter().filter(|u| !self.members.contains_key(*u)).map(String::as_str))
    }

    /// Removes a member, remembering them as a former one; their previous role.
    pub fn remove_member(&mut self, user: &str) -> Option<Role> {
        let role = self.members.remove(user)?;
        self.former_members.insert(user.to_owned());
        Some(role)
    }
}

/// Why a membership change is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum MembershipRefusal {
    /// The caller has no standing: answer as if the project did not exist.
    NotVisible,
    /// The caller sees the project but may not change members.
    NotAdmin(Standing),
    /// The owner is not a member: it cannot be given a role or removed.
    Owner,
}

/// May `caller` set (or, when `removing`, remove) `target`'s membership of `share`?
pub fn check_membership_change(
    share: &SharedProject,
    caller: &str,
    target: &str,
    removing: bool,
) -> Result<(), MembershipRefusal> {
    let standing = share.standing(caller).ok_or(MembershipRefusal::NotVisible)?;
    if target == share.owner {
        return Err(MembershipRefusal::Owner);
    }
    // A member may always leave a project (but not raise their own role).
    if removing && caller == target {
        return Ok(());
    }
    if !standing.can_administer() {
        return Err(MembershipRefusal::NotAdmin(standing));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share() -> SharedProject {
        SharedProject {
            name: "Atlas".into(),
            owner: "olga".into(),
            members: BTreeMap::from([
                ("ada".into(), Role::Admin),
                ("carl".into(), Role::Contributor),
                ("vera".into(), Role::Viewer),
            ]),
            former_members: BTreeSet::new(),
            revision: 3,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn standings_order_their_rights() {
        let s = share();
        assert_eq!(s.standing("olga"), Some(Standing::Owner));
        assert!(s.standing("ada").unwrap().can_administer());
        assert!(s.standing("carl").unwrap().can_log_time() && !s.standing("carl").unwrap().can_administer());
        assert!(!s.standing("vera").unwrap().can_log_time());
        assert_eq!(s.standing("nobody"), None);
        assert_eq!(s.authors().collect::<Vec<_>>(), vec!["olga", "ada", "carl", "vera"]);
        assert_eq!(s.log_as(), "olga/Atlas");
        assert!(s.is("olga", "ATLAS") && !s.is("carl", "Atlas"));
        let mut left = s.clone();
        assert_eq!(left.remove_member("carl"), Some(Role::Contributor));
        assert_eq!(left.standing("carl"), None, "a former member has no standing");
        assert!(left.authors().any(|u| u == "carl"), "but the time they logged still counts");
    }

    #[test]
    fn only_admins_change_members_and_nobody_removes_the_owner() {
        let s = share();
        assert_eq!(check_membership_change(&s, "olga", "carl", false), Ok(()));
        assert_eq!(check_membership_change(&s, "ada", "vera", true), Ok(()));
        assert_eq!(check_membership_change(&s, "ada", "olga", true), Err(MembershipRefusal::Owner));
        assert_eq!(check_membership_change(&s, "olga", "olga", false), Err(MembershipRefusal::Owner));
        assert_eq!(
            check_membership_change(&s, "carl", "vera", true),
            Err(MembershipRefusal::NotAdmin(Standing::Member(Role::Contributor)))
        );
        assert_eq!(check_membership_change(&s, "vera", "vera", true), Ok(()), "a member may leave");
        assert_eq!(
            check_membership_change(&s, "vera", "vera", false),
            Err(MembershipRefusal::NotAdmin(Standing::Member(Role::Viewer))),
            "but not promote themselves"
        );
        assert_eq!(check_membership_change(&s, "mallory", "vera", false), Err(MembershipRefusal::NotVisible));
        assert_eq!("Admin".parse::<Role>(), Ok(Role::Admin));
        assert!("owner".parse::<Role>().is_err());
    }
}
