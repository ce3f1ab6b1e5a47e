using System.Net;
using System.Net.Sockets;

namespace Fraud.Api.Extensions;

/// <summary>Section <c>Fraud:Api</c>. Validated at start-up.</summary>
public sealed class ApiOptions
{
    public const string Section = "Fraud:Api";

    /// <summary>Most transactions in one <c>POST /transactions</c>.</summary>
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of request bodies held at once across all requests (<see cref="Apis.RequestBodyBudget"/>):
    /// beyond it a request gets 503 with Retry-After before its body is read. Each buffered byte
    /// becomes about three in parsed transactions, so the default keeps a 512 MiB pod well inside
    /// its limit. At least <see cref="MaxBodyBytes"/>.
    /// </summary>
    public long MaxInFlightBodyBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Callers and their roles. Required as soon as the API listens beyond loopback.</summary>
    public List<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>Requests per second allowed per client IP without an API key.</summary>
    public int RequestsPerSecondPerIp { get; set; } = 100;

    /// <summary>Requests per second allowed per API key (each key its own bucket), unless the key sets its own.</summary>
    public int RequestsPerSecondPerKey { get; set; } = 1_000;

    /// <summary>
    /// Reverse proxies (addresses, or networks such as <c>10.244.0.0/16</c>) whose
    /// <c>X-Forwarded-For</c> names the client: the ingress controller's pods. None by default, so a
    /// caller cannot choose the address its rate limit is counted against.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary><see cref="TrustedProxies"/> parsed (an address is a network of one).</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks() => [.. TrustedProxies.Select(ToNetwork)];

    private static IPNetwork ToNetwork(string proxy) => IPAddress.TryParse(proxy, out var address)
        ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)
        : IPNetwork.Parse(proxy);

    public void Validate()
    {
        if (MaxBatchSize is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "must be in [1, 100000]");
        }

        if (MaxBodyBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, "must be at least 1024");
        }

        if (MaxInFlightBodyBytes < MaxBodyBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInFlightBodyBytes), MaxInFlightBodyBytes, $"must be at least MaxBodyBytes ({MaxBodyBytes})");
        }

        if (MaxBodyBytes > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, "must be at most 2 GiB");
        }

        if (RequestsPerSecondPerIp < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestsPerSecondPerIp), RequestsPerSecondPerIp, "must be at least 1");
        }

        if (RequestsPerSecondPerKey < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestsPerSecondPerKey), RequestsPerSecondPerKey, "must be at least 1");
        }

        for (var i = 0; i < Keys.Count; i++)
        {
            Keys[i].Validate($"Keys:{i}");
        }

        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            var proxy = TrustedProxies[i];
            if (!IPAddress.TryParse(proxy, out _) && !IPNetwork.TryParse(proxy, out _))
            {
                throw new ArgumentException($"'{proxy}' is not an IP address or a network such as 10.244.0.0/16", $"TrustedProxies:{i}");
            }
        }

        var duplicate = Keys.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two keys are named '{duplicate.Key}'", nameof(Keys));
        }
    }
}

/// <summary>One caller: a name (shown as the reviewer, used for its rate limit), the secret key, and roles.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The secret, from configuration (an environment variable or a mounted secret), never from the repository.</summary>
    public string Key { get; set; } = string.Empty;

    public List<string> Roles { get; set; } = [];

    /// <summary>This key's own requests per second; 0 uses <see cref="ApiOptions.RequestsPerSecondPerKey"/>.</summary>
    public int RequestsPerSecond { get; set; }

    internal void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("needs a Name", path);
        }

        if (Key.Length < 16)
        {
            throw new ArgumentException($"key '{Name}' must be at least 16 characters (use a random secret)", path);
        }

        if (Roles.Count == 0 || Roles.Exists(r => !ApiRoles.All.Contains(r)))
        {
            throw new ArgumentException($"key '{Name}' needs roles among {string.Join(", ", ApiRoles.All)}", path);
        }

        if (RequestsPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(path, RequestsPerSecond, $"key '{Name}': RequestsPerSecond must not be negative");
        }
    }
}

/// <summary>What a key may do: ingest transactions and score, review anomalies, or everything.</summary>
public static class ApiRoles
{
    public const string Ingest = "ingest";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Ingest, Analyst, Admin };
}
