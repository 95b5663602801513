# bash completion for stayhooks(1). Installed as
# share/bash-completion/completions/stayhooks; keep the option lists in step
# with `stayhooks --help`.

_stayhooks() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local global_options="--base-url --api-prefix --room --webhook --invoke-url
        --secret-file --token-file --alias --timeout --retries --cacert
        --insecure --json --dry-run --verbose --help --version"
    # Options that take a value, so the next word is not a command.
    local value_options="--base-url --api-prefix --room --webhook --invoke-url
        --secret-file --token-file --alias --timeout --retries --cacert
        --label --permission --extra --title --description --color --url
        --image --footer --note --text --extra-embed --ends-in --size --at
        --payload --payload-file --parallel"

    case $prev in
        --secret-file | --token-file | --payload-file | --cacert)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --permission)
            COMPREPLY=($(compgen -W "message embed poll image" -- "$cur"))
            return
            ;;
    esac
    if [[ " ${value_options//$'\n'/ } " == *" $prev "* ]]; then
        return
    fi

    # Find the command words typed so far, skipping options and their values.
    local command="" kind="" i word skip=0 after_dashes=0
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        if ((skip)); then
            skip=0
            continue
        fi
        if ((!after_dashes)); then
            if [[ $word == -- ]]; then
                after_dashes=1
                continue
            fi
            if [[ $word == -* ]]; then
                [[ $word != *=* && " ${value_options//$'\n'/ } " == *" $word "* ]] && skip=1
                continue
            fi
        fi
        if [[ -z $command ]]; then
            command=$word
        elif [[ $command == send && -z $kind ]]; then
            kind=$word
        fi
    done

    local command_options=""
    case "$command $kind" in
        "create ") command_options="--label --permission" ;;
        "update ") command_options="--label --permission --pause --resume" ;;
        "send message") command_options="--extra" ;;
        "send embed")
            command_options="--title --description --color --url --image --footer --note --text --extra-embed"
            ;;
        "send poll") command_options="--multiple --ends-in" ;;
        "send image") command_options="--size --at" ;;
        "invoke ") command_options="--payload --payload-file" ;;
        "batch ") command_options="--parallel" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$global_options $command_options" -- "$cur"))
        return
    fi
    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "list create update rotate delete actions send invoke batch" -- "$cur"))
    elif [[ $command == send && -z $kind ]]; then
        COMPREPLY=($(compgen -W "message embed poll image" -- "$cur"))
    elif [[ $command == invoke ]]; then
        COMPREPLY=($(compgen -W "message embed poll image" -- "$cur"))
    elif [[ $command == batch ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

complete -F _stayhooks stayhooks
