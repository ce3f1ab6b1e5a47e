namespace Fraud.Cli.CommandLine;

/// <summary>One option of a command: <c>--name VALUE</c>, or a flag when <see cref="Value"/> is null.</summary>
public sealed record OptionSpec(string Name, string? Value, string Help, bool Required = false, bool Repeatable = false);
