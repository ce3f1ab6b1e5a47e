namespace Fraud.Core.Features;

/// <summary>
/// FNV-1a over the UTF-16 code units. <see cref="string.GetHashCode()"/> is randomised per process,
/// and profiles outlive processes (actor state, model files), so their hashes must be stable.
/// Zero is reserved for "absent".
/// </summary>
public static class StableHash
{
    public static int Of(string? value) => value is null ? 0 : Of(value.AsSpan());

    public static int Of(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        uint hash = 2166136261;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash == 0 ? 1 : (int)hash;
    }
}
