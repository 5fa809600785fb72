//! `awl completion bash|zsh`: a completion script made from the command table, so it never falls behind.

use crate::cli::args::Args;
use crate::cli::spec::{COMMANDS, GLOBAL_OPTIONS};
use crate::cli::terminal::print_out;
use crate::error::{Error, Result};

/// The shells awl writes a completion script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shell {
    /// bash.
    Bash,
    /// zsh, through bashcompinit.
    Zsh,
}

impl Shell {
    /// `awl completion bash|zsh`.
    pub(crate) fn from_args(args: &Args) -> Result<Self> {
        match args.positionals.as_slice() {
            [shell] if shell == "bash" => Ok(Shell::Bash),
            [shell] if shell == "zsh" => Ok(Shell::Zsh),
            _ => {
                Err(Error::usage("'awl completion' takes bash or zsh")
                    .with_hint("source <(awl completion bash)"))
            }
        }
    }
}

/// The bash script: commands, subcommands, global options, and profile names after `--profile`.
pub(crate) fn bash() -> String {
    let commands: Vec<&str> = COMMANDS.iter().map(|c| c.name).chain(["help"]).collect();
    let mut cases = String::new();
    for c in COMMANDS.iter().filter(|c| !c.subcommands.is_empty()) {
        let subs: Vec<&str> = c.subcommands.iter().map(|s| s.name).collect();
        cases.push_str(&format!("        {}) subs=\"{}\" ;;\n", c.name, subs.join(" ")));
    }
    // s3api's operations come from its own table.
    let ops: Vec<&str> = crate::cli::s3api::model::operations()
        .iter()
        .map(|o| o.cli())
        .collect();
    cases.push_str(&format!("        s3api) subs=\"{}\" ;;\n", ops.join(" ")));
    let options: Vec<&str> = GLOBAL_OPTIONS.iter().map(|o| o.name).collect();
    let valued: Vec<&str> = GLOBAL_OPTIONS
        .iter()
        .filter(|o| o.value.is_some())
        .map(|o| o.name)
        .collect();
    format!(
        r#"# bash completion for awl: source <(awl completion bash)
_awl() {{
    local cur prev cmd sub i subs
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    if [ "$prev" = "--profile" ]; then
        local files="${{AWS_CONFIG_FILE:-$HOME/.aws/config}} ${{AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}}"
        COMPREPLY=($(compgen -W "$(sed -n -e 's/^\[profile[[:space:]]*\([^]]*\)\].*/\1/p' -e 's/^\[\([^] ]*\)\].*/\1/p' $files 2>/dev/null | sort -u)" -- "$cur"))
        return
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            {valued}) ((i++)) ;;
            -*) ;;
            *) if [ -z "$cmd" ]; then cmd="${{COMP_WORDS[i]}}"; elif [ -z "$sub" ]; then sub="${{COMP_WORDS[i]}}"; fi ;;
        esac
    done
    case "$cur" in
        -*) COMPREPLY=($(compgen -W "{options}" -- "$cur")); return ;;
    esac
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "{commands}" -- "$cur"))
        return
    fi
    subs=""
    case "$cmd" in
{cases}    esac
    if [ -n "$subs" ] && [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -F _awl awl
"#,
        options = options.join(" "),
        valued = valued.join("|"),
        commands = commands.join(" "),
    )
}

/// The zsh script: the bash one, through zsh's bashcompinit.
pub(crate) fn zsh() -> String {
    format!(
        "# zsh completion for awl: awl completion zsh > \"${{fpath[1]}}/_awl\", or source <(awl completion zsh)\n\
         autoload -U +X bashcompinit && bashcompinit\n{}",
        bash()
    )
}

/// Prints the script for `shell`.
pub(crate) fn run(shell: Shell) -> Result<()> {
    print_out(&match shell {
        Shell::Bash => bash(),
        Shell::Zsh => zsh(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_every_command_and_subcommand() {
        let b = bash();
        for c in COMMANDS {
            assert!(b.contains(c.name), "{}", c.name);
            for s in c.subcommands {
                assert!(b.contains(s.name), "{} {}", c.name, s.name);
            }
        }
        assert!(b.contains("--profile") && b.ends_with("complete -F _awl awl\n"));
        assert!(zsh().starts_with("# zsh completion") && zsh().contains("bashcompinit"));
    }
}
