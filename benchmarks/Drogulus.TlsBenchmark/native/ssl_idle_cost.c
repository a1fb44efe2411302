/*
 * What OpenSSL itself holds per TLS 1.3 connection end, configured as .NET's SslStream configures it on Linux
 * (System.Net.Security's OpenSSL PAL: TLS_method, memory BIOs in and out, server certificate on the SSL_CTX, client
 * certificate on the SSL, peer verification, client session cache), for a P-256 self-signed certificate as a
 * Drogulus node has. N client/server pairs handshake over memory BIOs and exchange one small record each way (a
 * ping and its pong), as an idle Drogulus connection has done; then malloc'd bytes (mallinfo2) and resident bytes
 * per connection end are printed. Issue 9, memory per connection. Build and run:
 *   gcc -O2 -o /tmp/ssl_idle_cost benchmarks/Drogulus.TlsBenchmark/native/ssl_idle_cost.c -lssl -lcrypto
 *   /tmp/ssl_idle_cost 500 normal     (as .NET does: no SSL_MODE_RELEASE_BUFFERS)
 *   /tmp/ssl_idle_cost 500 release    (SSL_MODE_RELEASE_BUFFERS on both SSL_CTX: what .NET does not set)
 *   /tmp/ssl_idle_cost 500 ctx        (one client SSL_CTX per pair, as when every client end is another node)
 *   /tmp/ssl_idle_cost 500 notickets  (the server sends no TLS 1.3 session tickets; OpenSSL's default is 2)
 *   /tmp/ssl_idle_cost 500 big        (a 16 KiB message each way instead of 100 bytes: a connection that carried a large frame)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

static long resident_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

static size_t malloced(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static void identity(EVP_PKEY **key, X509 **cert)
{
    *key = EVP_EC_gen("P-256");
    *cert = X509_new();
    X509_set_version(*cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(*cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(*cert), 86400);
    X509_set_pubkey(*cert, *key);
    X509_NAME *name = X509_get_subject_name(*cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"drogulus-node", -1, -1, 0);
    X509_set_issuer_name(*cert, name);
    X509_sign(*cert, *key, EVP_sha256());
}

static int accept_any(int ok, X509_STORE_CTX *ctx) { (void)ok; (void)ctx; return 1; }

static SSL_CTX *context(int server, int release, EVP_PKEY *key, X509 *cert)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_quiet_shutdown(ctx, 1);
    if (server)
    {
        SSL_CTX_use_certificate(ctx, cert);
        SSL_CTX_use_PrivateKey(ctx, key);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
    }
    else
    {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
        SSL_CTX_sess_set_cache_size(ctx, 500);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
    }
    if (release)
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

typedef struct { SSL *ssl; BIO *in; BIO *out; } End;

static End end(SSL_CTX *ctx, int server, EVP_PKEY *key, X509 *cert)
{
    End e;
    e.ssl = SSL_new(ctx);
    e.in = BIO_new(BIO_s_mem());
    e.out = BIO_new(BIO_s_mem());
    SSL_set_bio(e.ssl, e.in, e.out);
    if (server)
        SSL_set_accept_state(e.ssl);
    else
    {
        SSL_use_certificate(e.ssl, cert);
        SSL_use_PrivateKey(e.ssl, key);
        SSL_set_tlsext_host_name(e.ssl, "drogulus-node");
        SSL_set_connect_state(e.ssl);
    }
    return e;
}

/* Moves what `from` wrote to `to`'s input, through a buffer of the caller's as .NET does (BIO_read, then BIO_write). */
static int pump(End *from, End *to)
{
    static unsigned char buffer[32768];
    int moved = 0, n;
    while ((n = BIO_read(from->out, buffer, sizeof buffer)) > 0)
    {
        BIO_write(to->in, buffer, n);
        moved += n;
    }
    return moved;
}

int main(int argc, char **argv)
{
    int pairs = argc > 1 ? atoi(argv[1]) : 500;
    const char *mode = argc > 2 ? argv[2] : "normal";
    int release = strcmp(mode, "release") == 0;
    int context_per_pair = strcmp(mode, "ctx") == 0;
    int no_tickets = strcmp(mode, "notickets") == 0;
    int message = strcmp(mode, "big") == 0 ? 16384 : 100;
    EVP_PKEY *key;
    X509 *cert;
    identity(&key, &cert);
    SSL_CTX *server = context(1, release, key, cert);
    SSL_CTX *client = context(0, release, key, cert);
    if (no_tickets)
        SSL_CTX_set_num_tickets(server, 0);
    End *servers = calloc(pairs, sizeof(End)), *clients = calloc(pairs, sizeof(End));
    static unsigned char data[16384];
    memset(data, 'p', sizeof data);

    /* one warm-up pair, so that one-time costs (provider fetches, cipher tables) are not counted */
    for (int warm = 0; warm < 2; warm++)
    {
        long rss0 = resident_kib();
        size_t heap0 = malloced();
        for (int i = 0; i < (warm ? pairs : 1); i++)
        {
            SSL_CTX *c = context_per_pair && warm ? context(0, release, key, cert) : client;
            End s = end(server, 1, key, cert), k = end(c, 0, key, cert);
            if (context_per_pair && warm)
                SSL_CTX_free(c); /* the SSL holds a reference, as .NET's uncached handles do */
            for (int round = 0; round < 20 && !(SSL_is_init_finished(s.ssl) && SSL_is_init_finished(k.ssl)); round++)
            {
                SSL_do_handshake(k.ssl);
                pump(&k, &s);
                SSL_do_handshake(s.ssl);
                pump(&s, &k);
            }
            /* a ping (about 100 bytes) and its pong; reading also takes in the server's session tickets */
            SSL_write(k.ssl, data, message);
            pump(&k, &s);
            SSL_read(s.ssl, data, sizeof data);
            SSL_write(s.ssl, data, message);
            pump(&s, &k);
            SSL_read(k.ssl, data, sizeof data);
            if (!SSL_is_init_finished(s.ssl) || !SSL_is_init_finished(k.ssl))
            {
                fprintf(stderr, "handshake %d did not finish\n", i);
                ERR_print_errors_fp(stderr);
                return 1;
            }
            if (warm)
                servers[i] = s, clients[i] = k;
        }
        if (!warm)
            continue;
        double heap = (double)(malloced() - heap0) / (2.0 * pairs), rss = (double)(resident_kib() - rss0) / (2.0 * pairs);
        printf("%s: %d pairs, per connection end: malloc'd %.1f KiB, resident %.1f KiB\n", mode, pairs, heap / 1024, rss);
        heap0 = malloced();
        rss0 = resident_kib();
        for (int i = 0; i < pairs; i++)
        {
            SSL_free_buffers(servers[i].ssl);
            SSL_free_buffers(clients[i].ssl);
        }
        printf("%s: after SSL_free_buffers on every end: malloc'd %+.1f KiB, resident %+.1f KiB per end\n",
            mode, (double)((long)malloced() - (long)heap0) / (2.0 * pairs) / 1024, (double)(resident_kib() - rss0) / (2.0 * pairs));
        rss0 = resident_kib();
        malloc_trim(0);
        printf("%s: then malloc_trim(0): resident %+.1f KiB per end\n", mode, (double)(resident_kib() - rss0) / (2.0 * pairs));
    }
    return 0;
}
