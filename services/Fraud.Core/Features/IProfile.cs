namespace Fraud.Core.Features;

/// <summary>What the stores need to evict: when the profile last saw a transaction.</summary>
public interface IProfile
{
    int LastSeen { get; }
}
