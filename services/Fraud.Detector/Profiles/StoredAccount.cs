using System.Text.Json.Serialization;

namespace Fraud.Detector.Profiles;

/// <summary>
/// One account as the profile store holds it under its account id: the profile's compact binary
/// form, and the ids of the last frauds credited to it (so a verdict delivered twice counts once).
/// </summary>
public sealed record StoredAccount(byte[] Profile, string[] CreditedLabels);

/// <summary>A stored account and its ETag; both null when the store holds none.</summary>
public readonly record struct VersionedAccount(StoredAccount? Account, string? ETag);

/// <summary>A write of one account, conditional on <see cref="ETag"/> (null: only if still absent).</summary>
public sealed record AccountWrite(string AccountId, StoredAccount Account, string? ETag);

[JsonSerializable(typeof(StoredAccount))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class StoredAccountJsonContext : JsonSerializerContext;
