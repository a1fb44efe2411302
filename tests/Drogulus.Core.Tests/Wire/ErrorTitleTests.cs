using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Wire;

/// <summary>PROTOCOL §12: every code has its title.</summary>
public sealed class ErrorTitleTests
{
    [Theory]
    [InlineData(ErrorCode.BadRequest, 1, "Bad request")]
    [InlineData(ErrorCode.RequestTooBig, 4, "Request too big")]
    [InlineData(ErrorCode.ExpiredValue, 9, "Expired value")]
    [InlineData(ErrorCode.Busy, 10, "Busy")]
    [InlineData(ErrorCode.StorageFull, 11, "Storage full")]
    [InlineData(ErrorCode.Unreachable, 12, "Unreachable")]
    public void Title_should_give_the_protocol_title_when_the_code_is_known(ErrorCode code, int number, string title)
    {
        Assert.Equal(number, (int)code);
        Assert.Equal(title, ErrorCodes.Title(code));
    }

    [Fact]
    public void Title_should_name_the_number_when_the_code_is_unknown()
    {
        Assert.Equal("Error 13", ErrorCodes.Title((ErrorCode)13));
    }
}
