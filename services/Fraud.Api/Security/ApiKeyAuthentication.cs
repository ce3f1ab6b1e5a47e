using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Fraud.Api.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>
/// API keys in <c>X-Api-Key</c> (or <c>Authorization: ApiKey …</c>), each mapped to a name and roles.
/// Keys are compared by their SHA-256, so lookups leak nothing about the secret. With no keys
/// configured (allowed only on loopback) every caller is the local user with every role.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string LocalUser = "local";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsOpen)
        {
            return Task.FromResult(Success(keys.Local));
        }

        var presented = Presented(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.FindPrincipal(presented) is { } principal
            ? Success(principal)
            : AuthenticateResult.Fail("unknown API key"));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        await Results.Problem($"Send a valid API key in the {HeaderName} header.", statusCode: 401, title: "Authentication required.")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await Results.Problem("This API key's roles do not allow this request.", statusCode: 403, title: "Forbidden.")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    private static AuthenticateResult Success(ClaimsPrincipal principal) => AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && header.ToString() is { Length: > 0 } value)
        {
            return value;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase) ? authorization[(SchemeName.Length + 1)..].Trim() : null;
    }
}

/// <summary>The configured keys by the hash of their secret, each with the principal its callers get.</summary>
/// <remarks>
/// A key's principal is built once and shared by its requests (building it was a tenth of the
/// allocations of a read): nothing in the pipeline changes a principal, there is no claims
/// transformation, and one added must return a new principal rather than edit this one.
/// </remarks>
public sealed class ApiKeyStore
{
    private readonly Dictionary<string, ClaimsPrincipal> _byHash = new(StringComparer.Ordinal);

    public ApiKeyStore(IOptions<ApiOptions> options)
    {
        foreach (var key in options.Value.Keys)
        {
            _byHash[Hash(key.Key)] = Principal(key.Name, key.Roles);
        }
    }

    /// <summary>No keys configured: every caller has every role (loopback only; enforced at start-up).</summary>
    public bool IsOpen => _byHash.Count == 0;

    /// <summary>Who callers are when <see cref="IsOpen"/>: the local user with every role.</summary>
    public ClaimsPrincipal Local { get; } = Principal(ApiKeyAuthenticationHandler.LocalUser, ApiRoles.All);

    public ClaimsPrincipal? FindPrincipal(string presented) => _byHash.GetValueOrDefault(Hash(presented));

    private static ClaimsPrincipal Principal(string name, IEnumerable<string> roles)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));
    }

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
