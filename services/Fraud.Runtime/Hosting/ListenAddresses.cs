namespace Fraud.Runtime.Hosting;

/// <summary>The addresses a process was asked to listen on (<c>--urls</c>, or the loopback default).</summary>
public sealed record ListenAddresses(IReadOnlyList<string> Urls);
