/// <reference types="node" />
/**
 * `consulate completion bash|zsh`: a shell completion script generated from the commander command
 * tree — subcommands (nested, with aliases), every option of the command being typed (the connection
 * flags included), option values (choices, file and directory names) and positional arguments (file
 * names, or a command to run for `run_once`/`lock`/`watch`).
 *
 * The script is static: pressing TAB runs no `consulate` process (a Node start-up per keypress would be
 * felt), so it must be generated again after an upgrade that adds commands or options. It needs no
 * bash-completion package, and defines only functions named `__consulate_*`/`_consulate`.
 * @module
 */
import type { Argument, Command, Option } from 'commander';
import { Help } from 'commander';
import { write } from './io.ts';

/** What to offer for an option's value or a positional argument. */
type ValueKind = { kind: 'file' } | { kind: 'dir' } | { kind: 'command' } | { kind: 'choices'; choices: readonly string[] } | { kind: 'none' };

/** One command of the tree, as the completion script sees it. */
interface CommandSpec {
  /** Subcommand path from the root, space-separated ('' for the root, 'kv restore'). */
  path: string;
  description: string;
  /** Visible subcommands: their name, aliases and one-line description. */
  subcommands: { name: string; aliases: string[]; description: string }[];
  /** Visible options (help and version included). */
  options: { flags: string[]; description: string; value: ValueKind | undefined }[];
  /** What each positional argument takes; the last one repeats when it is variadic. */
  positionals: ValueKind[];
  variadic: boolean;
  /** It runs another command: the options end at its first positional (commander's passThroughOptions). */
  passThrough: boolean;
}

const plainHelp = new Help();

/** Words offered for the first word of a positional argument whose values commander does not check (see {@link completeArgument}). */
const argumentWords = new WeakMap<Argument, readonly string[]>();

/**
 * Makes the completion script offer `words` for `argument` (for a variadic one, for its first word
 * only): for arguments that take a closed set of words that commander's `.choices()` cannot express
 * (`register NAME check|httpcheck|ttl|no-check …`) or that the command checks with its own message.
 */
export function completeArgument(argument: Argument, words: readonly string[]): Argument {
  argumentWords.set(argument, words);
  return argument;
}

/** A `help [command...]` command (commander's or `help.ts`'s): its argument names a subcommand, not a program to run. */
function isHelpCommand(parent: Command, command: Command): boolean {
  const implicit = (parent as unknown as { _getHelpCommand?: () => Command | null })._getHelpCommand?.() === command;
  return implicit || (command.name() === 'help' && command.registeredArguments[0]?.name() === 'command');
}

/** What each positional of `command` takes (a variadic argument with words: those words, then nothing). */
function positionalsOf(command: Command, parent: Command | undefined): ValueKind[] {
  if (parent !== undefined && isHelpCommand(parent, command)) {
    return [{ kind: 'choices', choices: plainHelp.visibleCommands(parent).filter((c) => c !== command).map((c) => c.name()) }, { kind: 'none' }];
  }
  return command.registeredArguments.flatMap((a: Argument): ValueKind[] => {
    const words = argumentWords.get(a);
    if (words === undefined) return [valueOf(a.name(), a.argChoices)];
    return a.variadic ? [{ kind: 'choices', choices: words }, { kind: 'none' }] : [{ kind: 'choices', choices: words }];
  });
}

function argumentName(option: Option): string | undefined {
  return /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
}

function valueOf(name: string | undefined, choices: readonly string[] | undefined): ValueKind {
  if (choices?.length) return { kind: 'choices', choices };
  if (name === 'file') return { kind: 'file' };
  if (name === 'dir') return { kind: 'dir' };
  if (name === 'command' || name === 'handler') return { kind: 'command' };
  return { kind: 'none' };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/\s+/g, ' ').trim();
}

/** Reads the tree (visible commands and options, as the unconfigured help shows them). */
function collect(program: Command): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const walk = (command: Command, path: string, parent?: Command): void => {
    const subcommands = plainHelp.visibleCommands(command);
    const positionals = positionalsOf(command, parent);
    specs.push({
      path,
      description: firstLine(command.summary() || command.description()),
      subcommands: subcommands.map((c) => ({ name: c.name(), aliases: c.aliases(), description: firstLine(c.summary() || c.description()) })),
      options: plainHelp.visibleOptions(command).map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => f !== undefined),
        description: firstLine(o.description),
        value: o.required || o.optional ? valueOf(argumentName(o), o.argChoices) : undefined,
      })),
      positionals,
      variadic: command.registeredArguments.at(-1)?.variadic ?? false,
      passThrough: positionals.some((p) => p.kind === 'command'),
    });
    for (const sub of subcommands) walk(sub, path ? `${path} ${sub.name()}` : sub.name(), command);
  };
  walk(program, '');
  return specs;
}

/** A single-quoted shell word (the same in bash and zsh). */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function kindWord(value: ValueKind): string {
  return value.kind === 'choices' ? `choices ${value.choices.join(' ')}` : value.kind;
}

/**
 * The data functions both scripts share (plain POSIX `case`, which bash and zsh read alike):
 * `__consulate_sub PATH WORD` prints the canonical subcommand a word names; `__consulate_spec PATH`
 * sets `cmds`, `opts`, `valopts` (options that take a value), `args` (positional kinds) and `pass`
 * (1 when the command runs another, whose options are its own) — and for zsh `cmddesc`/`optdesc`;
 * `__consulate_value PATH OPTION` prints what an option's value is.
 */
function dataFunctions(specs: CommandSpec[], describe: boolean): string {
  const lines: string[] = [];
  lines.push('__consulate_sub() {', '  case "$1|$2" in');
  for (const spec of specs) {
    for (const sub of spec.subcommands) {
      if (!specs.some((s) => s.path === (spec.path ? `${spec.path} ${sub.name}` : sub.name))) continue;
      const patterns = [sub.name, ...sub.aliases].map((name) => quote(`${spec.path}|${name}`)).join('|');
      lines.push(`    ${patterns}) echo ${quote(sub.name)} ;;`);
    }
  }
  lines.push('  esac', '}', '');
  lines.push('__consulate_spec() {', '  case "$1" in');
  for (const spec of specs) {
    const cmds = spec.subcommands.map((s) => s.name).join(' ');
    const opts = spec.options.flatMap((o) => o.flags).join(' ');
    const valopts = spec.options.filter((o) => o.value !== undefined).flatMap((o) => o.flags).join(' ');
    // a positional's choices as one word, "choices:a,b" (__consulate_positional splits it)
    const args = spec.positionals.map((p) => (p.kind === 'choices' ? `choices:${p.choices.join(',')}` : p.kind)).join(' ') + (spec.variadic ? ' ...' : '');
    lines.push(`    ${quote(spec.path)})`);
    lines.push(`      cmds=${quote(cmds)}`, `      opts=${quote(opts)}`, `      valopts=${quote(` ${valopts} `)}`, `      args=${quote(args)}`, `      pass=${spec.passThrough ? 1 : 0}`);
    if (describe) {
      // "name:description" lines for zsh's _describe (a colon in a name is escaped)
      const entry = (name: string, text: string): string => `${name.replace(/:/g, '\\:')}:${text}`;
      lines.push(`      cmddesc=(${spec.subcommands.map((s) => quote(entry(s.name, s.description))).join(' ')})`);
      lines.push(`      optdesc=(${spec.options.flatMap((o) => o.flags.map((f) => quote(entry(f, o.description)))).join(' ')})`);
    }
    lines.push('      ;;');
  }
  lines.push('  esac', '}', '');
  lines.push('__consulate_value() {', '  case "$1|$2" in');
  const byKind = new Map<string, string[]>();
  for (const spec of specs) {
    for (const option of spec.options) {
      if (option.value === undefined || option.value.kind === 'none') continue;
      const word = kindWord(option.value);
      const list = byKind.get(word) ?? [];
      list.push(...option.flags.map((f) => quote(`${spec.path}|${f}`)));
      byKind.set(word, list);
    }
  }
  for (const [word, patterns] of byKind) lines.push(`    ${patterns.join('|')}) echo ${quote(word)} ;;`);
  lines.push('  esac', '}');
  return lines.join('\n');
}

/**
 * Walks the words before the cursor (from the first word after the program's name, index FIRST: 1 in
 * bash, 2 in zsh, whose arrays start at 1, up to `words[cword-1]`) the way commander parses them:
 * subcommand names descend, an option that takes a value skips the next word (unless written
 * `--opt=value`), `--` ends the options, and so does the first positional of a command that runs
 * another (`run_once LOCK cmd -x`: `-x` is the command's). Sets `cmdpath` (not `path`: zsh ties that
 * name to PATH), `npos` (positionals seen)
 * and `endopts`; the caller declares them and `cmds opts valopts args pass`.
 */
const WALK = `__consulate_walk() {
  local word canonical expect=0 i
  cmdpath='' npos=0 endopts=0
  __consulate_spec ''
  for ((i = FIRST; i < cword; i++)); do
    word=\${words[i]}
    if ((expect)); then expect=0; continue; fi
    if ((endopts == 0)) && [[ $word == -- ]]; then endopts=1; continue; fi
    if ((endopts == 0)) && [[ $word == -?* ]]; then
      [[ $word != *=* && $valopts == *" $word "* ]] && expect=1
      continue
    fi
    if ((npos == 0 && endopts == 0)); then
      canonical=$(__consulate_sub "$cmdpath" "$word")
      if [[ -n $canonical ]]; then
        cmdpath=\${cmdpath:+$cmdpath }$canonical
        __consulate_spec "$cmdpath"
        continue
      fi
    fi
    npos=$((npos + 1))
    ((pass)) && endopts=1
  done
}`;

/**
 * What the positional at index `npos` takes, from `args` ("none command ..." for run_once): sets
 * `__consulate_kind`. Past a variadic command to run come its own arguments: file names.
 */
const POSITIONAL = `__consulate_positional() {
  local k i=0 variadic=0 last=none
  __consulate_kind=none
  for k in ARGS; do
    if [[ $k == ... ]]; then variadic=1; continue; fi
    ((i == npos)) && __consulate_kind=$k
    last=$k
    i=$((i + 1))
  done
  if ((variadic && npos >= i)); then
    if [[ $last == command ]]; then __consulate_kind=file; else __consulate_kind=$last; fi
  fi
  if [[ $__consulate_kind == choices:* ]]; then
    __consulate_kind=\${__consulate_kind#choices:}
    __consulate_kind="choices \${__consulate_kind//,/ }"
  fi
}`;

/** The bash script. */
export function bashScript(program: Command): string {
  const name = program.name();
  return `# bash completion for ${name}, generated by \`${name} completion bash\` (static: generate it again after upgrading ${name})
# Load it with:  source <(${name} completion bash)   (e.g. in ~/.bashrc), or save it in /etc/bash_completion.d/${name}

${dataFunctions(collect(program), false)}

${WALK.replace('FIRST', '1')}

${POSITIONAL.replace('ARGS', '$args')}

__consulate_reply() {
  # $1: kind (file, dir, command, none, "choices a b"); $2: the word being completed; $3: text to keep in front
  local IFS=$'\\n' candidate
  COMPREPLY=()
  case "$1" in
    file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$2")) ;;
    dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$2")) ;;
    command) COMPREPLY=($(compgen -c -- "$2")) ;;
    choices\\ *)
      IFS=' '
      for candidate in \${1#choices }; do [[ $candidate == "$2"* ]] && COMPREPLY+=("$3$candidate"); done ;;
  esac
}

_${name}() {
  # bash splits words at = and : (COMP_WORDBREAKS): glue "--opt" "=" "value" and "host" ":" "port" back together
  local -a words=()
  local i j=-1 glue=0 cword=0 raw=\${COMP_WORDS[COMP_CWORD]}
  for ((i = 0; i <= COMP_CWORD; i++)); do
    if ((i > 0)) && [[ \${COMP_WORDS[i]} == [=:] ]]; then
      words[j]+=\${COMP_WORDS[i]}; glue=1
    elif ((glue)); then
      words[j]+=\${COMP_WORDS[i]}; glue=0
    else
      j=$((j + 1)); words[j]=\${COMP_WORDS[i]}
    fi
    ((i == COMP_CWORD)) && cword=$j
  done
  local cur=\${words[cword]} cmdpath npos endopts cmds opts valopts args pass __consulate_kind
  __consulate_walk
  local prev=\${words[cword - 1]}
  if ((endopts == 0)) && [[ $cur == -?*=* ]]; then
    # "--opt=value": bash replaces only its own last word, the value (or the "=" itself)
    if [[ $raw == = ]]; then __consulate_reply "$(__consulate_value "$cmdpath" "\${cur%%=*}")" '' '='
    else __consulate_reply "$(__consulate_value "$cmdpath" "\${cur%%=*}")" "$raw" ''
    fi
    return 0
  fi
  if ((endopts == 0)) && [[ $prev == -?* && $prev != *=* && $valopts == *" $prev "* ]]; then
    __consulate_reply "$(__consulate_value "$cmdpath" "$prev")" "$cur" ''
    return 0
  fi
  if ((endopts == 0)) && [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  if ((npos == 0 && endopts == 0)) && [[ -n $cmds ]]; then
    COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
    ((\${#COMPREPLY[@]} > 0)) && return 0
  fi
  __consulate_positional
  __consulate_reply "$__consulate_kind" "$cur" ''
  return 0
}

complete -F _${name} ${name}
`;
}

/** The zsh script (an fpath `_consulate` file, or `source`d after `compinit`). */
export function zshScript(program: Command): string {
  const name = program.name();
  return `#compdef ${name}
# zsh completion for ${name}, generated by \`${name} completion zsh\` (static: generate it again after upgrading ${name})
# Load it with:  ${name} completion zsh > "\${fpath[1]}/_${name}"   (then start a new shell),
# or:            source <(${name} completion zsh)   (after compinit, e.g. in ~/.zshrc)

${dataFunctions(collect(program), true)}

${WALK.replace('FIRST', '2')}

${POSITIONAL.replace('ARGS', '${=args}')}

__consulate_zsh_reply() {
  case "$1" in
    file) _files ;;
    dir) _files -/ ;;
    command) _command_names -e ;;
    choices\\ *) local -a choices; choices=(\${=1#choices }); compadd -a choices ;;
    *) return 1 ;;
  esac
}

_${name}() {
  local cword=$CURRENT cmdpath npos endopts cmds opts valopts args pass __consulate_kind
  local -a cmddesc optdesc
  local cur=\${words[cword]}
  __consulate_walk
  local prev=\${words[cword - 1]}
  if ((endopts == 0)) && [[ $cur == -?*=* ]]; then
    compset -P '*='
    __consulate_zsh_reply "$(__consulate_value "$cmdpath" "\${cur%%=*}")"
    return
  fi
  if ((endopts == 0)) && [[ $prev == -?* && $prev != *=* && $valopts == *" $prev "* ]]; then
    __consulate_zsh_reply "$(__consulate_value "$cmdpath" "$prev")"
    return
  fi
  if ((endopts == 0)) && [[ $cur == -* ]]; then
    _describe -t options 'option' optdesc
    return
  fi
  if ((npos == 0 && endopts == 0 && \${#cmddesc[@]} > 0)); then
    _describe -t commands 'command' cmddesc && return
  fi
  __consulate_positional
  __consulate_zsh_reply "$__consulate_kind"
}

if [[ \${funcstack[1]} == _${name} ]]; then
  _${name} "$@"
else
  compdef _${name} ${name}
fi
`;
}

/** Registers `completion <shell>`. */
export function registerCompletion(program: Command): void {
  const completion = program
    .command('completion')
    .summary('print a shell completion script (bash or zsh)')
    .description(
      'Print a completion script for bash or zsh, generated from this program\'s commands and options. ' +
        'bash: source <(consulate completion bash) (e.g. in ~/.bashrc). ' +
        'zsh: consulate completion zsh > "${fpath[1]}/_consulate", or source <(consulate completion zsh) after compinit. ' +
        'The script is static: generate it again after upgrading consulate.',
    )
    .argument('<shell>', 'bash or zsh')
    .action(async (shell: string, _options: unknown, command: Command) => {
      const root = command.parent!;
      if (shell === 'bash') await write(process.stdout, bashScript(root));
      else if (shell === 'zsh') await write(process.stdout, zshScript(root));
      else command.error(`error: completion supports bash and zsh, not ${JSON.stringify(shell)}`, { exitCode: 2, code: 'consulate.usage' });
    });
  completeArgument(completion.registeredArguments[0]!, ['bash', 'zsh']);
}
