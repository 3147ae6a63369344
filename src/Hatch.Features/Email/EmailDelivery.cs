using System.Net.Sockets;
using Hatch.Data;
using Hatch.Domain.Email;
using Hatch.Writing.Telemetry;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Hatch.Features.Email;

/// <summary>
/// Makes one attempt at a recorded <see cref="OutgoingEmail"/> and records its outcome: the attempt and its
/// Message-Id are committed before the message leaves, then the row is marked Sent, Retrying (a transient failure:
/// no connection, a 4xx reply) or Failed (a 5xx reply, or every attempt used). The caller schedules the retry, so
/// the wait and the reason are on the record. docs/digests.md says what a crash between these steps can cause.
/// </summary>
public sealed partial class EmailDelivery(
    HatchDbContext db, MailSender sender, IOptions<EmailOptions> options, TimeProvider time, ILogger<EmailDelivery> logger)
{
    /// <returns>The delay before the next attempt, or null when the email is settled (sent or failed).</returns>
    public async Task<TimeSpan?> AttemptAsync(OutgoingEmail email, string newMessageId, Func<string, MimeMessage> compose, CancellationToken cancellationToken)
    {
        if (email.Status == EmailStatus.Sending) LogInterrupted(email.Id, email.MessageId);
        email.BeginAttempt(newMessageId, time.GetUtcNow());
        // Committed before the message leaves: a crash from here on is visible as Sending with this Message-Id.
        await db.SaveChangesAsync(cancellationToken);

        var message = compose(email.MessageId!);
        try
        {
            await sender.SendAsync(message, cancellationToken);
            email.Succeeded(time.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
            LogSent(email.Id, email.MessageId!, email.Attempts);
            return null;
        }
        catch (Exception ex) when (Classify(ex) is { } failure)
        {
            // The reader sees a plain reason and an error id; the mail server's own words (which may name its hosts
            // or accounts) stay in the log under that id.
            var errorId = ErrorIds.Next();
            var after = time.GetUtcNow();
            if (failure.Permanent || email.Attempts >= options.Value.MaxAttempts)
            {
                var shown = failure.Permanent ? failure.Plain : $"gave up after {email.Attempts} attempts: {failure.Plain}";
                email.Failed($"{shown} (error id {errorId})", after);
                await db.SaveChangesAsync(CancellationToken.None);
                LogFailed(ex, email.Id, failure.Detail, errorId);
                return null;
            }
            var delay = options.Value.DelayAfter(email.Attempts);
            email.WillRetry($"{failure.Plain} (error id {errorId})", after);
            await db.SaveChangesAsync(CancellationToken.None);
            LogRetrying(email.Id, failure.Detail, errorId, email.Attempts, delay.TotalSeconds);
            return delay;
        }
    }

    /// <summary>
    /// Which failures are worth another attempt. A 4xx reply, a refused or dropped connection and a timeout mean
    /// the message was not accepted and may be later; a 5xx reply is the server's final word. Anything else (a bug,
    /// a bad setting) is not ours to classify and fails the job for Hangfire's dashboard.
    /// </summary>
    internal static SendFailure? Classify(Exception ex) => ex switch
    {
        SmtpCommandException { StatusCode: var code } smtp when (int)code >= 500 =>
            new SendFailure(true, $"the mail server refused the message ({(int)code})", ReasonOf(smtp)),
        SmtpCommandException { StatusCode: var code } smtp =>
            new SendFailure(false, $"the mail server could not take the message now ({(int)code})", ReasonOf(smtp)),
        SocketException socket => new SendFailure(false, "cannot reach the mail server", $"cannot reach the mail server ({socket.SocketErrorCode}): {socket.Message}"),
        SmtpProtocolException or ServiceNotConnectedException or IOException or TimeoutException =>
            new SendFailure(false, "the connection to the mail server failed", ex.Message),
        _ => null,
    };

    private static string ReasonOf(SmtpCommandException smtp) =>
        string.IsNullOrWhiteSpace(smtp.Message) ? $"the mail server answered {(int)smtp.StatusCode}" : $"{(int)smtp.StatusCode} {smtp.Message.Trim()}";

    /// <param name="Plain">What the reader is shown.</param>
    /// <param name="Detail">What the mail server or the network said, for the log.</param>
    internal sealed record SendFailure(bool Permanent, string Plain, string Detail);

    [LoggerMessage(LogLevel.Information, "Email {EmailId} sent as {MessageId} (attempt {Attempts})")]
    private partial void LogSent(Guid emailId, string messageId, int attempts);

    [LoggerMessage(LogLevel.Warning, "Email {EmailId} not sent, retrying (error id {ErrorId}): {Reason} (attempt {Attempts}; next in {DelaySeconds} s)")]
    private partial void LogRetrying(Guid emailId, string reason, string errorId, int attempts, double delaySeconds);

    [LoggerMessage(LogLevel.Warning, "Email {EmailId} failed (error id {ErrorId}): {Reason}")]
    private partial void LogFailed(Exception ex, Guid emailId, string reason, string errorId);

    [LoggerMessage(LogLevel.Warning, "Email {EmailId}: an earlier attempt to send {MessageId} was interrupted; it may have been delivered, so this copy carries the same Message-Id")]
    private partial void LogInterrupted(Guid emailId, string? messageId);
}
