using System.Net.Http.Json;
using Fraud.Contracts;
using Fraud.Runtime.Hosting;

namespace Fraud.Runtime.Scoring;

/// <summary>
/// <c>POST /score</c> on fraud-detector by Dapr service invocation: an <see cref="HttpClient"/>
/// whose base address is the app id, sent through Dapr's <c>InvocationHandler</c> (mTLS, and the
/// retries and timeouts of the resiliency policy, come from the sidecars).
/// </summary>
public sealed class DaprScoringClient(HttpClient http) : IScoringClient
{
    public static readonly Uri DetectorAddress = new($"http://{DaprNames.DetectorAppId}");

    public async Task<ScoreResponse> ScoreAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(ServiceRoutes.Score.TrimStart('/'), transaction, RuntimeJson.Options, cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new ScoringUnavailableException($"fraud-detector answered {(int)response.StatusCode} to /score");
        }

        return await response.Content.ReadFromJsonAsync<ScoreResponse>(RuntimeJson.Options, cancellationToken).ConfigureAwait(false)
            ?? throw new ScoringUnavailableException("fraud-detector answered /score with an empty body");
    }
}

/// <summary>The detector could not be reached or refused the request; the API answers 503.</summary>
public sealed class ScoringUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
