namespace Fraud.DaprSidecar.State;

/// <summary>
/// How daprd turns a state key into the store's key (dapr <c>pkg/components/state/state_config.go</c>,
/// <c>GetModifiedStateKey</c>, <c>checkKeyIllegal</c>).
/// </summary>
public static class StateKeys
{
    public const string Separator = "||";

    /// <summary><c>keyPrefix</c>: <c>appid</c> (the default), <c>name</c>, <c>none</c>, or a literal prefix.</summary>
    public static string Modified(string key, string keyPrefix, string storeName, string appId)
    {
        CheckLegal(key);
        var strategy = keyPrefix.ToLowerInvariant();
        CheckLegal(strategy);
        return strategy switch
        {
            "none" => key,
            "name" => storeName + Separator + key,
            "appid" => string.IsNullOrEmpty(appId) ? key : appId + Separator + key,
            _ => strategy + Separator + key,
        };
    }

    public static void CheckLegal(string key)
    {
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"input key/keyPrefix '{key}' can't contain '{Separator}'");
        }
    }
}
