namespace Coupons.Core;

public static class CodeGenerator
{
    /// <summary>Digits, or upper-case letters and digits without look-alikes (0/O, 1/I/L).</summary>
    public const string Digits = "0123456789";
    public const string AlphaNumeric = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public static string Generate(bool alphaNumeric, int length) => throw new NotImplementedException();

    /// <summary>Codes are matched case-insensitively: this is the key they are stored and looked up by.</summary>
    public static string Normalize(string code) => code.Trim().ToUpperInvariant();

    /// <summary>An uploaded or presented code: 1..64 printable ASCII characters, no spaces or control characters.</summary>
    public static bool IsAcceptableCode(string code) =>
        code.Length is > 0 and <= 64 && code.All(ch => ch is > ' ' and < (char)127);
}
