using System.Net;
using Fraud.Contracts;
using Fraud.Detector.Profiles;
using Fraud.Detector.Tests.Infrastructure;
using Fraud.Runtime;
using Fraud.Runtime.Messaging;

namespace Fraud.Detector.Tests.Hosting;

/// <summary><c>POST /score</c>: authorisation-time scoring, in the embedded runtime, without recording anything.</summary>
public sealed class ScoreEndpointTests
{
    [Fact]
    public async Task Score_answers_400_problem_details_naming_each_bad_field()
    {
        await using var host = await DetectorHost.StartAsync(RuntimeMode.Embedded);

        using var response = await host.Client.PostAsync("/score", new StringContent(
            """{"transactionId":"","accountId":5,"timestamp":"yesterday","amount":-3,"channel":"pigeon","country":"France"}""",
            System.Text.Encoding.UTF8, "application/json"));
        var (emptyStatus, empty) = await host.PostAsync("/score", "");
        var (brokenStatus, broken) = await host.PostAsync("/score", """{"transactionId":"x",""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        var errors = problem.RootElement.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(["accountId", "amount", "channel", "country", "timestamp", "transactionId"], errors.Keys.Order());
        Assert.All(errors.Values, messages => Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString())));
        Assert.Equal(HttpStatusCode.BadRequest, emptyStatus);
        Assert.Equal(HttpStatusCode.BadRequest, brokenStatus);
        using (empty)
        using (broken)
        {
            Assert.True(empty!.RootElement.GetProperty("errors").TryGetProperty("$", out _));
            Assert.True(broken!.RootElement.GetProperty("errors").TryGetProperty("$", out _));
        }
    }

    [Fact]
    public async Task Score_reads_the_profiles_without_changing_them_and_matches_the_score_the_transaction_later_gets()
    {
        await using var host = await DetectorHost.StartAsync(RuntimeMode.Embedded);
        var publisher = host.Get<ITransactionPublisher>();
        var history = Enumerable.Range(0, 5)
            .Select(i => new Transaction { TransactionId = $"h-{i}", AccountId = "acc-auth", Timestamp = Events.T0.AddMinutes(5 * i), Amount = 1.00m, MerchantId = "merch-1" })
            .ToList();
        Assert.Equal(5, (await publisher.PublishAsync(history, CancellationToken.None)).Accepted);
        var profiles = (InProcessAccountProfiles)host.Get<IAccountProfiles>();
        var accountsBefore = profiles.Count;
        var candidate = Events.Transaction("auth-1", "acc-auth", Events.T0.AddMinutes(30), 950m);

        var (firstStatus, first) = await host.PostAsync("/score", candidate);
        var (secondStatus, second) = await host.PostAsync("/score", candidate);
        var (strangerStatus, stranger) = await host.PostAsync("/score", Events.Transaction("auth-2", "acc-stranger", Events.T0, 20m));

        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal(HttpStatusCode.OK, strangerStatus);
        using (stranger)
        {
            // An ordinary payment: no reasons, as its stored copy will have none.
            Assert.Equal("none", stranger!.RootElement.GetProperty("severity").GetString());
            Assert.Empty(stranger.RootElement.GetProperty("reasons").EnumerateArray());
        }

        using (first)
        using (second)
        {
            Assert.Equal(first!.RootElement.GetRawText(), second!.RootElement.GetRawText());
            var answer = first.RootElement;
            Assert.Equal("auth-1", answer.GetProperty("transactionId").GetString());
            Assert.True(answer.GetProperty("isAnomaly").GetBoolean());
            Assert.Contains(answer.GetProperty("severity").GetString(), new[] { "medium", "high", "critical" });
            var codes = answer.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
            Assert.Contains("CARD_TESTING", codes);
            Assert.Contains("AMOUNT_SPIKE", codes);
            Assert.Equal(accountsBefore, profiles.Count);
            Assert.Null(await host.Ledger.GetTransactionAsync("auth-1", CancellationToken.None));

            // When the payment then arrives on the topic it is new to the profiles and scores the same.
            var published = await publisher.PublishAsync(
                [new Transaction { TransactionId = "auth-1", AccountId = "acc-auth", Timestamp = Events.T0.AddMinutes(30), Amount = 950m, MerchantId = "merch-1", Currency = "EUR", Country = "FR", Channel = Channel.Online }],
                CancellationToken.None);
            Assert.Equal(1, published.Accepted);
            var row = await host.Ledger.GetTransactionAsync("auth-1", CancellationToken.None);
            Assert.NotNull(row);
            Assert.Equal(answer.GetProperty("score").GetDouble(), row.Score, 12);
            Assert.IsType<Anomaly>(row);
            // And with the same reasons, word for word.
            Assert.Equal(
                answer.GetProperty("reasons").EnumerateArray().Select(r => $"{r.GetProperty("code").GetString()}: {r.GetProperty("detail").GetString()}"),
                row.Reasons.Select(r => $"{r.Code}: {r.Detail}"));
        }
    }
}
