using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hatch.Features.Email;

/// <summary>Hands a message to the configured SMTP server (MailKit), or writes it to the pickup directory.</summary>
public sealed class MailSender(IOptions<EmailOptions> options)
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.IsConfigured) throw new InvalidOperationException("Email is not configured (Hatch:Email:Host or Hatch:Email:PickupDirectory).");
        if (o.UsesPickupDirectory)
        {
            await WriteToPickupAsync(o.PickupDirectory!, message, cancellationToken);
            return;
        }

        using var client = new SmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
        var security = !o.UseTls ? SecureSocketOptions.None : o.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        await client.ConnectAsync(o.Host!, o.Port, security, cancellationToken);
        if (!string.IsNullOrWhiteSpace(o.User))
            await client.AuthenticateAsync(o.User, o.Password ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, CancellationToken.None);
    }

    /// <summary>
    /// Named by the Message-Id, written to a temporary name and moved into place: a retry replaces the file rather
    /// than adding a second one, and a reader of the directory never sees half a message.
    /// </summary>
    private static async Task WriteToPickupAsync(string directory, MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var name = string.Concat((message.MessageId ?? Guid.NewGuid().ToString("N")).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
        var path = Path.Combine(directory, name + ".eml");
        var temporary = Path.Combine(directory, "." + name + ".tmp");
        await message.WriteToAsync(temporary, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
