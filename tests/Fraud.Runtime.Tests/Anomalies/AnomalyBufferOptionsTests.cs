using Fraud.Runtime.Anomalies;
using static Fraud.Runtime.Tests.Anomalies.TestAnomalies;

namespace Fraud.Runtime.Tests.Anomalies;

public sealed class AnomalyBufferOptionsTests
{
    [Fact]
    public void DefaultsAreTenThousandForAnHour()
    {
        var options = new AnomalyBufferOptions();

        Assert.Equal(10_000, options.MaxSize);
        Assert.Equal(TimeSpan.FromHours(1), options.Ttl);
        options.Validate();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ANonPositiveMaxSizeIsNamed(int maxSize)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyBufferOptions { MaxSize = maxSize }.Validate());
        Assert.Equal(nameof(AnomalyBufferOptions.MaxSize), e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ANonPositiveTtlIsNamed(int seconds)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyBufferOptions { Ttl = TimeSpan.FromSeconds(seconds) }.Validate());
        Assert.Equal(nameof(AnomalyBufferOptions.Ttl), e.ParamName);
    }

    [Fact]
    public void TheBufferValidatesItsOptions()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => new AnomalyBuffer(new AnomalyBufferOptions { MaxSize = 0 }, new ManualTimeProvider()));
        Assert.Equal(nameof(AnomalyBufferOptions.MaxSize), e.ParamName);
    }

    [Fact]
    public void TheBufferKeepsTheOptionsItWasGiven()
    {
        // Options objects are mutable (configuration binding); a later change must not resize a live buffer.
        var options = new AnomalyBufferOptions { MaxSize = 2 };
        var buffer = new AnomalyBuffer(options, new ManualTimeProvider());
        options.MaxSize = 100;

        buffer.Add(Create("a"));
        buffer.Add(Create("b"));
        buffer.Add(Create("c"));

        Assert.Equal(2, buffer.Count);
    }

    [Fact]
    public void ATinyTtlIsNotRoundedDownToZeroOnACoarseClock()
    {
        // One tick of TTL is a hundredth of this clock's millisecond unit; rounded down it would be
        // zero and every entry would be expired the moment it was added.
        var time = new MillisecondClock();
        var buffer = new AnomalyBuffer(new AnomalyBufferOptions { Ttl = TimeSpan.FromTicks(1) }, time);
        buffer.Add(Create("a"));

        Assert.True(buffer.TryGet("a", out _));
        time.Milliseconds++;
        Assert.False(buffer.TryGet("a", out _));
    }

    private sealed class MillisecondClock : TimeProvider
    {
        public long Milliseconds { get; set; }

        public override long TimestampFrequency => 1_000;

        public override long GetTimestamp() => Milliseconds;
    }
}
