namespace Fraud.Runtime.Hosting;

/// <summary>The addresses a process was asked to listen on.</summary>
public sealed record ListenAddresses(IReadOnlyList<string> Urls)
{
    public bool IsLoopbackOnly => Binding.IsLoopbackOnly(Urls);

    public override string ToString() => string.Join(", ", Urls);
}
