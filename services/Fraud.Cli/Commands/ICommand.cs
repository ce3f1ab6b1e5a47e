using Fraud.Cli.CommandLine;

namespace Fraud.Cli.Commands;

/// <summary>One <c>fraud</c> sub-command: its options, and what it does with them.</summary>
internal interface ICommand
{
    string Name { get; }

    string Summary { get; }

    IReadOnlyList<OptionSpec> Options { get; }

    Task<int> RunAsync(ParsedArguments args, CommandContext context);
}

/// <summary>Where a command writes, what time it is, and whether a person is watching.</summary>
internal sealed record CommandContext(
    TextWriter Out,
    TextWriter Error,
    TimeProvider Time,
    bool Interactive,
    CancellationToken Cancellation);
