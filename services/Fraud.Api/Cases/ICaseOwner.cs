namespace Fraud.Api.Cases;

/// <summary>
/// Where an account's case commands run, one at a time per account: the account's case actor under
/// Dapr (turn-based, with a reminder at each deadline), an in-process lock embedded.
/// </summary>
public interface ICaseOwner
{
    Task<CaseOutcome> ExecuteAsync(string accountId, CaseCommand command, CancellationToken cancellationToken);
}
