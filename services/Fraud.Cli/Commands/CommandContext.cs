namespace Fraud.Cli.Commands;

/// <summary>Where a command writes, what time it is, and whether a person is watching.</summary>
internal sealed record CommandContext(
    TextWriter Out,
    TextWriter Error,
    TimeProvider Time,
    bool Interactive,
    CancellationToken Cancellation);
