import { Command } from 'commander';

/** A command's words for completion: its subcommands, or else its options. */
interface CompletionNode {
  readonly path: string;
  readonly words: readonly string[];
}

/** Pure: every command path of the program with the words that may follow it. */
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const walk = (command: Command, path: string) => {
    const subcommands = command.commands.map((sub) => sub.name());
    const options = command.options.map((option) => option.long).filter((long): long is string => long !== undefined);
    nodes.push({ path, words: [...subcommands, ...options, '--help'] });
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return nodes;
}

/** Pure: a bash completion script; the deepest known command path picks the words. */
export function bashCompletion(program: Command): string {
  const cases = completionTree(program)
    .map((node) => `    "${node.path}") words="${node.words.join(' ')}" ;;`)
    .join('\n');
  return `# badger completion for bash: source it, or save it as /etc/bash_completion.d/badger
_badger() {
  local cur path="" candidate words="" i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ "\${COMP_WORDS[i]}" == -* ]] && continue
    candidate="\${path:+$path }\${COMP_WORDS[i]}"
    _badger_words "$candidate" && path="$candidate"
  done
  _badger_words "$path"
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_badger_words() {
  case "$1" in
${cases}
    *) return 1 ;;
  esac
}
complete -o default -F _badger badger
`;
}

/** Pure: a zsh completion script, by way of zsh's bash completion support. */
export function zshCompletion(program: Command): string {
  return `# badger completion for zsh: source it from ~/.zshrc
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}

export function completionCommand(program: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script for bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .option('--json', 'print JSON: the shell and the script')
    .action((shell: string, options: { json?: boolean }) => {
      if (shell !== 'bash' && shell !== 'zsh') {
        process.stderr.write(`error[CLI_BAD_ARGUMENT]: no completion for ${shell}; bash or zsh\n`);
        process.exitCode = 1;
        return;
      }
      const script = shell === 'bash' ? bashCompletion(program()) : zshCompletion(program());
      process.stdout.write(options.json ? `${JSON.stringify({ shell, script })}\n` : script);
    });
}
