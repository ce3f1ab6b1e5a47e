using Xunit;

namespace Fraud.TestSupport;

/// <summary>Waits for something a background loop or another process does, failing the test with what it waited for.</summary>
public static class Poll
{
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
