namespace Fraud.Detector.Profiles;

/// <summary>
/// Where account profiles live between deliveries (Dapr: the <c>actorstate</c> state store). Both
/// calls are one round trip for any number of accounts.
/// </summary>
public interface IProfileStore
{
    Task<IReadOnlyDictionary<string, VersionedAccount>> ReadAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken);

    /// <summary>
    /// Writes each account if its ETag still matches (one with none only if still absent). False
    /// when any write was refused or failed; which ones is not known, so the caller reads again.
    /// </summary>
    Task<bool> TryWriteAsync(IReadOnlyList<AccountWrite> writes, CancellationToken cancellationToken);
}
