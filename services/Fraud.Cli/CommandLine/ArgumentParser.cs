namespace Fraud.Cli.CommandLine;

/// <summary>
/// Parses <c>--name value</c>, <c>--name=value</c> and flags against a command's declared options.
/// Unknown options and missing values are errors that name the option; nothing is guessed.
/// </summary>
public static class ArgumentParser
{
    public static ParsedArguments Parse(string command, IReadOnlyList<OptionSpec> specs, IReadOnlyList<string> args)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"fraud {command}: unexpected argument '{arg}'.");
            }

            var name = arg[2..];
            string? inline = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                inline = name[(equals + 1)..];
                name = name[..equals];
            }

            if (!byName.TryGetValue(name, out var spec))
            {
                throw new UsageException($"fraud {command}: unknown option --{name}.");
            }

            if (spec.Value is null)
            {
                if (inline is not null)
                {
                    throw new UsageException($"fraud {command}: --{name} takes no value.");
                }

                flags.Add(name);
                continue;
            }

            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"fraud {command}: --{name} needs a value ({spec.Value})."));
            if (!values.TryGetValue(name, out var list))
            {
                values[name] = list = [];
            }
            else if (!spec.Repeatable)
            {
                throw new UsageException($"fraud {command}: --{name} is given more than once.");
            }

            list.Add(value);
        }

        foreach (var spec in specs)
        {
            if (spec.Required && !values.ContainsKey(spec.Name))
            {
                throw new UsageException($"fraud {command}: --{spec.Name} is required.");
            }
        }

        return new ParsedArguments(command, values, flags);
    }

    public static string Usage(string command, string summary, IReadOnlyList<OptionSpec> specs)
    {
        var lines = new List<string> { $"fraud {command}: {summary}", string.Empty, "Options:" };
        var width = specs.Max(s => s.Name.Length + (s.Value?.Length + 1 ?? 0)) + 4;
        foreach (var spec in specs)
        {
            var left = $"  --{spec.Name}{(spec.Value is null ? string.Empty : " " + spec.Value)}";
            var notes = (spec.Required ? " (required)" : string.Empty) + (spec.Repeatable ? " (repeatable)" : string.Empty);
            lines.Add(left.PadRight(width + 2) + spec.Help + notes);
        }

        return string.Join(Environment.NewLine, lines);
    }
}
