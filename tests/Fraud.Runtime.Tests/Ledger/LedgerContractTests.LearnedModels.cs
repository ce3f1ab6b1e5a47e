namespace Fraud.Runtime.Tests.Ledger;

public abstract partial class LedgerContractTests
{
    [Fact]
    public async Task Learned_models_the_newest_is_read_by_any_replica_and_only_the_newest_five_are_kept()
    {
        var (database, ledger) = await OpenFreshAsync();
        Assert.Null(await ledger.LatestLearnedModelAsync(CancellationToken.None));

        var start = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 7; i++)
        {
            // The newest is the last saved, whatever the clock of the replica that saved it said.
            await ledger.SaveLearnedModelAsync($"m-{i}", start.AddMinutes(-i), [(byte)i, 1, 2], CancellationToken.None);
        }

        // Saving a version again changes nothing.
        await ledger.SaveLearnedModelAsync("m-6", start.AddDays(1), [99], CancellationToken.None);

        var replica = Open(database);
        Assert.Equal([6, 1, 2], await replica.LatestLearnedModelAsync(CancellationToken.None));

        // Without the newest five nothing is left: the two oldest were trimmed.
        await ExecuteSqlAsync(database, "DELETE FROM learned_models WHERE version IN ('m-2', 'm-3', 'm-4', 'm-5', 'm-6')");
        Assert.Null(await replica.LatestLearnedModelAsync(CancellationToken.None));
    }
}
