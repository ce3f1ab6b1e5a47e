namespace Fraud.Cli.CommandLine;

/// <summary>The command line is wrong: the message says what and the usage is shown. Exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
