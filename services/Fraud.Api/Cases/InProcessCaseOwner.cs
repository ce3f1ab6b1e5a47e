namespace Fraud.Api.Cases;

/// <summary>
/// The embedded twin of the case actor: a lock per account (striped, so memory stays bounded)
/// makes its commands run one at a time; <see cref="CaseDeadlineScanner"/> does what reminders do.
/// </summary>
public sealed class InProcessCaseOwner(CaseService cases) : ICaseOwner
{
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<CaseOutcome> ExecuteAsync(string accountId, CaseCommand command, CancellationToken cancellationToken)
    {
        var gate = _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(accountId) % (uint)_locks.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await cases.ExecuteAsync(accountId, command, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
