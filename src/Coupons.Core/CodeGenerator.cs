using System.Security.Cryptography;

namespace Coupons.Core;

public static class CodeGenerator
{
    /// <summary>Digits, or upper-case letters and digits without look-alikes (0/O, 1/I/L).</summary>
    public const string Digits = "0123456789";
    public const string AlphaNumeric = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public const int MinLength = 4;
    public const int MaxLength = 32;

    /// <summary>Codes needed when a series has no maxCreate limit.</summary>
    const double UnlimitedCodeSpace = 1e6;

    /// <summary>How many more possible codes than coupons we want, so random draws rarely collide.</summary>
    const double CodeSpaceFactor = 100;

    public static string Generate(bool alphaNumeric, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return RandomNumberGenerator.GetString(alphaNumeric ? AlphaNumeric : Digits, length);
    }

    /// <summary>Codes are matched case-insensitively: this is the key they are stored and looked up by.</summary>
    public static string Normalize(string code) => code.Trim().ToUpperInvariant();

    /// <summary>An uploaded or presented code: 1..64 printable ASCII characters, no spaces or control characters.</summary>
    public static bool IsAcceptableCode(string code) =>
        code.Length is > 0 and <= 64 && code.All(ch => ch is > ' ' and < (char)127);

    public static bool IsValidLength(int length) => length is >= MinLength and <= MaxLength;

    /// <summary>
    /// True when the length is outside 4..32, or codes of this alphabet and length are fewer than
    /// 100 × maxCreate (10^6 when maxCreate is negative, i.e. unlimited).
    /// </summary>
    public static bool CodeSpaceTooSmall(bool alphaNumeric, int length, int maxCreate)
    {
        if (!IsValidLength(length))
            return true;
        var space = Math.Pow(alphaNumeric ? AlphaNumeric.Length : Digits.Length, length);
        var needed = maxCreate < 0 ? UnlimitedCodeSpace : CodeSpaceFactor * maxCreate;
        return space < needed;
    }
}
