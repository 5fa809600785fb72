//! Planning an IAM Identity Center (SSO) profile: the session form (`sso_session` + `[sso-session NAME]`) or the
//! legacy form (`sso_start_url`, `sso_region` on the profile), validated as the SDKs and botocore do.

use super::{Base, problem};
use crate::config::profiles::{Profiles, Props};
use crate::error::{ProfileProblem, Result};

/// The SSO base of a profile with `sso_account_id` or `sso_role_name` (botocore's trigger), `None` for
/// others. Validated as the SDKs do: a named `[sso-session]` must exist and the profile may not differ from
/// it (checked for token-only profiles too), and the role, account, start URL and region must all be there.
pub(super) fn base(name: &str, props: &Props, profiles: &Profiles) -> Result<Option<Base>> {
    let invalid = |m: String, hint: String| problem(ProfileProblem::InvalidSetting, m, Some(hint));
    let session = props.get("sso_session");
    let mut from = props;
    if let Some(s) = session {
        from = profiles.sso_session_props(&s.value).ok_or_else(|| {
            invalid(
                format!(
                    "profile '{name}': sso_session '{}' ({}) has no [sso-session {}] section",
                    s.value, s.source, s.value
                ),
                format!(
                    "add [sso-session {}] with sso_start_url and sso_region to the config file",
                    s.value
                ),
            )
        })?;
        // The profile may repeat the session's start URL and region, not differ from them (the SDKs' rule).
        for key in ["sso_region", "sso_start_url"] {
            if let Some(p) = props.get(key)
                && from.get(key).map(|v| &v.value) != Some(&p.value)
            {
                return Err(invalid(
                    format!(
                        "profile '{name}': {key} ({}) can only be given in [sso-session {}] when sso_session is set",
                        p.source, s.value
                    ),
                    format!("remove {key} from [profile {name}]"),
                ));
            }
        }
    }
    if !props.contains_key("sso_account_id") && !props.contains_key("sso_role_name") {
        return Ok(None);
    }
    let (start_url, region) = (
        from.get("sso_start_url").cloned(),
        from.get("sso_region").cloned(),
    );
    let (account_id, role_name) = (props.get("sso_account_id"), props.get("sso_role_name"));
    let missing: Vec<&str> = [
        ("sso_role_name", role_name.is_none()),
        ("sso_account_id", account_id.is_none()),
        ("sso_start_url", start_url.is_none()),
        ("sso_region", region.is_none()),
    ]
    .into_iter()
    .filter_map(|(k, gone)| gone.then_some(k))
    .collect();
    match (start_url, region, account_id, role_name) {
        (Some(start_url), Some(region), Some(account_id), Some(role_name)) => Ok(Some(Base::Sso {
            profile: name.to_owned(),
            session: session.cloned(),
            start_url,
            region,
            account_id: account_id.clone(),
            role_name: role_name.clone(),
            scopes: session.and(from.get("sso_registration_scopes")).cloned(),
        })),
        _ => Err(invalid(
            format!(
                "profile '{name}' is configured to use SSO but is missing required configuration: {}",
                missing.join(", ")
            ),
            match session {
                Some(s) => format!("sso_start_url and sso_region go in [sso-session {}]", s.value),
                None => format!("set them in [profile {name}], or name an [sso-session] with sso_session"),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::profiles;
    use super::*;

    #[test]
    fn sso_profiles_in_both_forms_as_a_base_and_as_a_source() {
        let p = profiles(
            "[profile s]\nsso_session = x\nsso_account_id = 1\nsso_role_name = r\nsso_region = us-east-1\n\
             [sso-session x]\nsso_start_url = https://x\nsso_region = us-east-1\nsso_registration_scopes = a,b\n\
             [profile legacy]\nsso_start_url = https://l\nsso_region = eu-west-1\nsso_account_id = 2\n\
             sso_role_name = q\n[profile role]\nrole_arn = arn:r\nsource_profile = s\n",
            "",
        );
        let Base::Sso {
            profile,
            session,
            start_url,
            region,
            scopes,
            ..
        } = p.chain("s").expect("sso").base
        else {
            panic!("an SSO base");
        };
        assert_eq!((profile.as_str(), start_url.value.as_str()), ("s", "https://x"));
        assert_eq!(
            session.map(|s| s.source.to_string()),
            Some("~/.aws/config:2".into())
        );
        assert_eq!(region.source.to_string(), "~/.aws/config:8", "from the session");
        assert_eq!(scopes.map(|s| s.value), Some("a,b".into()));
        let legacy = p.chain("legacy").expect("legacy").base;
        assert!(matches!(legacy, Base::Sso { session: None, ref account_id, .. } if account_id.value == "2"));
        let chain = p.chain("role").expect("role from sso");
        assert!(matches!(chain.base, Base::Sso { ref profile, .. } if profile == "s"));
        assert_eq!(chain.hops.len(), 1);
    }

    #[test]
    fn sso_profiles_are_validated_as_botocore_does() {
        let p = profiles(
            "[profile nosection]\nsso_session = y\nsso_account_id = 1\nsso_role_name = r\n\
             [profile differs]\nsso_session = x\nsso_account_id = 1\nsso_role_name = r\nsso_region = eu-west-1\n\
             [profile partial]\nsso_start_url = https://l\nsso_account_id = 2\n\
             [profile token_only]\nsso_session = x\n\
             [sso-session x]\nsso_start_url = https://x\nsso_region = us-east-1\n",
            "",
        );
        for (name, says) in [
            ("nosection", "has no [sso-session y] section"),
            (
                "differs",
                "sso_region (~/.aws/config:9) can only be given in [sso-session x]",
            ),
            (
                "partial",
                "missing required configuration: sso_role_name, sso_region",
            ),
        ] {
            let e = p.chain(name).expect_err(name);
            assert_eq!(
                e.profile_problem(),
                Some(ProfileProblem::InvalidSetting),
                "{name}"
            );
            assert!(e.message().contains(says), "{}", e.message());
        }
        let e = p.chain("token_only").expect_err("no role");
        assert_eq!(e.profile_problem(), Some(ProfileProblem::NoCredentials));
        assert!(
            e.hint()
                .is_some_and(|h| h.contains("add sso_account_id and sso_role_name"))
        );
    }
}
