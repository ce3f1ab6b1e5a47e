using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Core.Tests.Features;

public class AccountProfileSerializerTests
{
    [Fact]
    public void A_restored_profile_gives_exactly_the_features_the_original_would()
    {
        var original = new AccountProfile();
        var features = new float[FeatureVector.Length];
        var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 40; i++)
        {
            original.Observe(new TransactionView(Tx($"t{i}", start.AddHours(i * 7), 20 + i % 9, i % 3 == 0 ? "dev-1" : "dev-2", i % 5 == 0 ? "FR" : "DE")), features, 2.0);
        }

        original.AddKnownFraud(TimeKey.Seconds(start.AddHours(7 * 39)), StableHash.Of("t39"));
        var restored = AccountProfileSerializer.Deserialize(AccountProfileSerializer.Serialize(original));

        var next = new TransactionView(Tx("next", start.AddHours(300), 400, "dev-9", "US"));
        var expected = new float[FeatureVector.Length];
        var actual = new float[FeatureVector.Length];
        Assert.True(original.Observe(next, expected, 2.0));
        Assert.True(restored.Observe(next, actual, 2.0));
        Assert.Equal(expected, actual);
        Assert.Equal(AccountProfileSerializer.Serialize(original), AccountProfileSerializer.Serialize(restored));
        Assert.Equal(AccountProfileSerializer.Size, AccountProfileSerializer.Serialize(restored).Length);
    }

    [Fact]
    public void A_blob_of_another_size_or_version_is_refused()
    {
        var blob = AccountProfileSerializer.Serialize(new AccountProfile());
        blob[0] = 99;

        Assert.Throws<InvalidDataException>(() => AccountProfileSerializer.Deserialize(blob));
        Assert.Throws<InvalidDataException>(() => AccountProfileSerializer.Deserialize(blob.AsSpan(1)));
    }

    /// <summary>Version 3 appended the category ring (16 ints) and the channels (8 bytes) to version 2.</summary>
    private const int AddedInV3 = 4 * AccountProfile.RecentCapacity + 8;

    [Fact]
    public void A_version_2_blob_from_before_categories_and_channels_still_loads_with_them_unknown()
    {
        var current = TwoTransactionBlob();
        var v2 = current[..^AddedInV3];
        v2[0] = 2;

        var restored = AccountProfileSerializer.Deserialize(v2);

        Assert.Equal(2, restored.TransactionCount);
        var after = AccountProfileSerializer.Serialize(restored);
        Assert.Equal(current[..^AddedInV3][1..], after[..^AddedInV3][1..]);
        Assert.Equal(new byte[4 * AccountProfile.RecentCapacity], after[^AddedInV3..^8]);
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), after[^8..]);

        // Nothing is known about the old entries' categories and channels: neither new nor known.
        var features = new float[FeatureVector.Length];
        restored.Observe(new TransactionView(Tx("c", new DateTimeOffset(2026, 1, 2, 8, 0, 0, TimeSpan.Zero), 11, "dev-1", "FR")), features, 2.0);
        Assert.True(FeatureVector.IsMissing(features[(int)Feature.NewChannelForAccount]));
        Assert.True(FeatureVector.IsMissing(features[(int)Feature.AmountToAccountCategoryMean]));
        Assert.True(FeatureVector.IsMissing(features[(int)Feature.NewCategoryForAccount]));
    }

    [Fact]
    public void A_version_1_blob_from_before_the_pending_device_and_country_still_loads()
    {
        var current = TwoTransactionBlob();
        // Version 1 was version 2 without its last 16 bytes (pending device and country, with their days).
        var v1 = current[..^(AddedInV3 + 16)];
        v1[0] = 1;

        var restored = AccountProfileSerializer.Deserialize(v1);

        Assert.Equal(2, restored.TransactionCount);
        var after = AccountProfileSerializer.Serialize(restored);
        Assert.Equal(current[..^(AddedInV3 + 16)][1..], after[..^(AddedInV3 + 16)][1..]);
        Assert.Equal(new byte[16], after[^(AddedInV3 + 16)..^AddedInV3]);
    }

    private static byte[] TwoTransactionBlob()
    {
        var profile = new AccountProfile();
        var features = new float[FeatureVector.Length];
        var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        profile.Observe(new TransactionView(Tx("a", start, 10, "dev-1", "FR")), features, 2.0);
        profile.Observe(new TransactionView(Tx("b", start.AddMinutes(5), 12, "dev-2", "DE")), features, 2.0);
        return AccountProfileSerializer.Serialize(profile);
    }

    [Fact]
    public void Peek_writes_features_without_counting_the_transaction()
    {
        var profile = new AccountProfile();
        var features = new float[FeatureVector.Length];
        var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        profile.Observe(new TransactionView(Tx("a", start, 10, null, null)), features, 2.0);
        var before = AccountProfileSerializer.Serialize(profile);

        profile.Peek(new TransactionView(Tx("b", start.AddMinutes(5), 500, null, null)), features, 2.0);

        Assert.Equal(before, AccountProfileSerializer.Serialize(profile));
        Assert.Equal(1f, features[(int)Feature.AccountHistoryCount]);
        Assert.Equal(500f, features[(int)Feature.Amount]);
    }

    private static Transaction Tx(string id, DateTimeOffset time, decimal amount, string? device, string? country) => new()
    {
        TransactionId = id,
        AccountId = "acct",
        Timestamp = time,
        Amount = amount,
        MerchantId = "m-" + (int)amount % 4,
        MerchantCategory = (int)amount % 3 == 0 ? "grocery" : "fuel",
        Channel = (int)amount % 2 == 0 ? Channel.CardPresent : Channel.Online,
        DeviceId = device,
        Country = country,
        Latitude = 48.8,
        Longitude = 2.3,
    };
}
