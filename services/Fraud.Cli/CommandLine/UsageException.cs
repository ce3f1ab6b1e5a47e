namespace Fraud.Cli.CommandLine;

/// <summary>
/// The command line is wrong in a way only running the command finds out (e.g. a model file that
/// does not load): the message says what, <see cref="Cli"/> prefixes the command and exits with 2.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
