using System.Security.Cryptography;
using System.Text;

namespace Coupons.Server.Auth;

/// <summary>
/// PBKDF2-SHA256 with a random salt. Existing clients of this API send the MD5 hex of the password instead of the
/// password, so what is hashed is always MD5hex(password): a client sending the password and one sending its MD5
/// both verify against the one stored hash, and neither form is stored.
/// </summary>
public static class PasswordHasher
{
    const int Iterations = 100_000;
    const int SaltSize = 16;
    const int HashSize = 32;

    public static string Hash(string password) => HashPrepared(Md5Hex(password));

    public static bool Verify(string presented, string stored)
    {
        if (VerifyPrepared(Md5Hex(presented), stored)) return true;
        return IsMd5Hex(presented) && VerifyPrepared(presented.ToLowerInvariant(), stored);
    }

    public static string Md5Hex(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));

    static bool IsMd5Hex(string s) => s.Length == 32 && s.All(Uri.IsHexDigit);

    static string HashPrepared(string prepared)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(prepared, salt, Iterations, HashAlgorithmName.SHA256, HashSize);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    static bool VerifyPrepared(string prepared, string stored)
    {
        var parts = stored.Split('$');
        if (parts is not ["pbkdf2-sha256", var iter, var salt, var hash] || !int.TryParse(iter, out var iterations)) return false;
        var expected = Convert.FromBase64String(hash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(prepared, Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
