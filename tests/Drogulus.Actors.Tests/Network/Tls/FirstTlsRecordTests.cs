using Drogulus.Actors.Network.Tls;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>PROTOCOL §5, admission: an accepted connection's first TLS record must arrive whole before it takes a turn.</summary>
public sealed class FirstTlsRecordTests
{
    [Fact]
    public void Feed_should_say_whole_only_once_the_length_the_header_names_has_arrived_in_any_chunking()
    {
        var record = new FirstTlsRecord();
        byte[] header = [0x16, 0x03, 0x01, 0x02, 0x00]; // a handshake record of 512 bytes

        Assert.Equal(FirstTlsRecord.Status.Incomplete, record.Feed(header.AsSpan(0, 2)));
        Assert.Equal(FirstTlsRecord.Status.Incomplete, record.Feed(header.AsSpan(2)));
        Assert.Equal(FirstTlsRecord.Status.Incomplete, record.Feed(new byte[300]));
        Assert.Equal(FirstTlsRecord.Status.Incomplete, record.Feed(new byte[211]));
        Assert.Equal(FirstTlsRecord.Status.Whole, record.Feed(new byte[1]));
        Assert.Equal(FirstTlsRecord.Status.Whole, record.Feed(new byte[10]));
    }

    [Fact]
    public void Feed_should_say_whole_when_the_first_chunk_holds_the_record_and_more()
    {
        var record = new FirstTlsRecord();

        Assert.Equal(FirstTlsRecord.Status.Whole, record.Feed([0x16, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb, 0x17]));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ' })]
    [InlineData(new byte[] { 0x16, 0x02 })]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x40, 0x01 })]
    public void Feed_should_say_not_tls_when_the_header_is_no_handshake_record_or_names_an_impossible_length(byte[] bytes)
    {
        Assert.Equal(FirstTlsRecord.Status.NotTls, new FirstTlsRecord().Feed(bytes));
    }
}
