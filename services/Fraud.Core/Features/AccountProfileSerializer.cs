using System.Buffers.Binary;

namespace Fraud.Core.Features;

/// <summary>
/// A compact, versioned binary form of an <see cref="AccountProfile"/> for state stores (under Dapr
/// the detector keeps it in <c>actorstate</c>). Little-endian, fixed size; a blob written by a
/// different format version is refused rather than misread.
/// </summary>
public static class AccountProfileSerializer
{
    public const byte Version = 3;

    /// <summary>Version 2 had no category ring and channels (<see cref="AccountProfile.RecentCategory"/>); still read.</summary>
    private const int SizeV2 = Size - 4 * AccountProfile.RecentCapacity - 8;

    /// <summary>Version 1 had no pending device and country (<see cref="AccountProfile.PendingDevice"/>) either; still read.</summary>
    private const int SizeV1 = SizeV2 - 4 * 4;

    public const int Size = 1 // version
        + 4 * AccountProfile.RecentCapacity * 4 // time, amount, merchant, transaction rings
        + 2 + 1 + 1 // fraud bits, head, count
        + 4 * AccountProfile.KnownCapacity * 2 + 1 + 1 // devices, countries, next indices
        + 4 * 3 // last, first, total
        + 4 * 17 // decayed sums, hour, home, last location
        + 4 + 1 // last location time, has location
        + 4 + 4 + 1 // known fraud
        + 4 * 4 // pending device and country, each with its day (version 2)
        + 4 * AccountProfile.RecentCapacity + 8; // category ring, channels (version 3)

    public static byte[] Serialize(AccountProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var bytes = new byte[Size];
        var w = new Writer(bytes);
        w.Byte(Version);
        for (var i = 0; i < AccountProfile.RecentCapacity; i++)
        {
            w.Int(profile.RecentTime[i]);
            w.Float(profile.RecentAmount[i]);
            w.Int(profile.RecentMerchant[i]);
            w.Int(profile.RecentTransaction[i]);
        }

        w.UShort(profile.RecentFraud);
        w.Byte(profile.RecentHead);
        w.Byte(profile.RecentCount);
        for (var i = 0; i < AccountProfile.KnownCapacity; i++)
        {
            w.Int(profile.Devices[i]);
            w.Int(profile.Countries[i]);
        }

        w.Byte(profile.DeviceNext);
        w.Byte(profile.CountryNext);
        w.Int(profile.LastSeconds);
        w.Int(profile.FirstSeconds);
        w.Int(profile.TotalCount);
        foreach (var value in (ReadOnlySpan<float>)
                 [
                     profile.Count1d, profile.Count7d, profile.Count30d, profile.Sum1d, profile.Sum7d, profile.Sum30d,
                     profile.Max7d, profile.Max30d, profile.LogSum30d, profile.LogSquares30d, profile.HourX, profile.HourY,
                     profile.HomeLat, profile.HomeLon, profile.HomeWeight, profile.LastLat, profile.LastLon,
                 ])
        {
            w.Float(value);
        }

        w.Int(profile.LastLocationSeconds);
        w.Bool(profile.HasLocation);
        w.Float(profile.KnownFraud30d);
        w.Int(profile.LastKnownFraudSeconds);
        w.Bool(profile.HasKnownFraud);
        w.Int(profile.PendingDevice);
        w.Int(profile.PendingDeviceDay);
        w.Int(profile.PendingCountry);
        w.Int(profile.PendingCountryDay);
        for (var i = 0; i < AccountProfile.RecentCapacity; i++)
        {
            w.Int(profile.RecentCategory[i]);
        }

        w.ULong(profile.RecentChannels);
        return bytes;
    }

    /// <exception cref="InvalidDataException">The blob has another size or format version.</exception>
    public static AccountProfile Deserialize(ReadOnlySpan<byte> bytes)
    {
        var version = bytes.IsEmpty ? 0 : bytes[0];
        if (!(version == Version && bytes.Length == Size) && !(version == 2 && bytes.Length == SizeV2) && !(version == 1 && bytes.Length == SizeV1))
        {
            throw new InvalidDataException(
                $"Account profile blob has {bytes.Length} bytes and version {(bytes.IsEmpty ? "none" : bytes[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}; expected {Size} bytes, version {Version}.");
        }

        var r = new Reader(bytes[1..]);
        var p = new AccountProfile();
        for (var i = 0; i < AccountProfile.RecentCapacity; i++)
        {
            p.RecentTime[i] = r.Int();
            p.RecentAmount[i] = r.Float();
            p.RecentMerchant[i] = r.Int();
            p.RecentTransaction[i] = r.Int();
        }

        p.RecentFraud = r.UShort();
        p.RecentHead = (byte)(r.Byte() % AccountProfile.RecentCapacity);
        p.RecentCount = Math.Min(r.Byte(), (byte)AccountProfile.RecentCapacity);
        for (var i = 0; i < AccountProfile.KnownCapacity; i++)
        {
            p.Devices[i] = r.Int();
            p.Countries[i] = r.Int();
        }

        p.DeviceNext = (byte)(r.Byte() % AccountProfile.KnownCapacity);
        p.CountryNext = (byte)(r.Byte() % AccountProfile.KnownCapacity);
        p.LastSeconds = r.Int();
        p.FirstSeconds = r.Int();
        p.TotalCount = r.Int();
        p.Count1d = r.Float();
        p.Count7d = r.Float();
        p.Count30d = r.Float();
        p.Sum1d = r.Float();
        p.Sum7d = r.Float();
        p.Sum30d = r.Float();
        p.Max7d = r.Float();
        p.Max30d = r.Float();
        p.LogSum30d = r.Float();
        p.LogSquares30d = r.Float();
        p.HourX = r.Float();
        p.HourY = r.Float();
        p.HomeLat = r.Float();
        p.HomeLon = r.Float();
        p.HomeWeight = r.Float();
        p.LastLat = r.Float();
        p.LastLon = r.Float();
        p.LastLocationSeconds = r.Int();
        p.HasLocation = r.Bool();
        p.KnownFraud30d = r.Float();
        p.LastKnownFraudSeconds = r.Int();
        p.HasKnownFraud = r.Bool();
        if (version >= 2)
        {
            p.PendingDevice = r.Int();
            p.PendingDeviceDay = r.Int();
            p.PendingCountry = r.Int();
            p.PendingCountryDay = r.Int();
        }

        if (version >= 3)
        {
            for (var i = 0; i < AccountProfile.RecentCapacity; i++)
            {
                p.RecentCategory[i] = r.Int();
            }

            p.RecentChannels = r.ULong();
        }

        return p;
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _at;

        public void Byte(byte value) => _buffer[_at++] = value;

        public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

        public void UShort(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer[_at..], value);
            _at += 2;
        }

        public void Int(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer[_at..], value);
            _at += 4;
        }

        public void Float(float value)
        {
            BinaryPrimitives.WriteSingleLittleEndian(_buffer[_at..], value);
            _at += 4;
        }

        public void ULong(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer[_at..], value);
            _at += 8;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _at;

        public byte Byte() => _buffer[_at++];

        public bool Bool() => Byte() != 0;

        public ushort UShort()
        {
            var value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[_at..]);
            _at += 2;
            return value;
        }

        public int Int()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(_buffer[_at..]);
            _at += 4;
            return value;
        }

        public float Float()
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(_buffer[_at..]);
            _at += 4;
            return value;
        }

        public ulong ULong()
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_at..]);
            _at += 8;
            return value;
        }
    }
}
