using System.Reflection;

namespace Fraud.Api.Console;

/// <summary>
/// The analyst console: one self-contained page (embedded in the assembly, so it is served the same
/// whichever process hosts the API) that lists anomalies, shows their reasons and records reviews
/// through the API itself.
/// </summary>
public static class ConsolePage
{
    public const string Path = "/";

    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Fraud.Api.Console.index.html")
            ?? throw new InvalidOperationException("The console page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, () => Results.Bytes(Html.Value, "text/html; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }
}
