using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Fraud.Api.Console;

/// <summary>
/// The analyst console: one self-contained page (embedded in the assembly, so it is served the same
/// whichever process hosts the API) that lists anomalies, shows their reasons and records reviews
/// through the API itself. It is served under a strict Content-Security-Policy: its one inline
/// script and one inline style are allowed by their SHA-256 hashes, and it may only call its own origin.
/// </summary>
public static partial class ConsolePage
{
    public const string Path = "/";

    private static readonly Lazy<Page> Html = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Fraud.Api.Console.index.html")
            ?? throw new InvalidOperationException("The console page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return new Page(bytes, ContentSecurityPolicy(Encoding.UTF8.GetString(bytes)));
    });

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext http) =>
            {
                var page = Html.Value;
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = page.Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
                headers["Referrer-Policy"] = "no-referrer";
                return Results.Bytes(page.Bytes, "text/html; charset=utf-8");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>The policy for <paramref name="html"/>: nothing but its own inline script and style (by hash) and calls to its origin.</summary>
    internal static string ContentSecurityPolicy(string html)
    {
        static string Hashes(IReadOnlyCollection<Match> blocks) => blocks.Count == 0
            ? "'none'"
            : string.Join(' ', blocks.Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'"));

        return $"default-src 'none'; script-src {Hashes(ScriptBlock().Matches(html))}; style-src {Hashes(StyleBlock().Matches(html))}; "
            + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptBlock();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex StyleBlock();

    private sealed record Page(byte[] Bytes, string Policy);
}
