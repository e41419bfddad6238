/* miner.yar - cryptocurrency miners: XMRig and its configuration, miner
 * binaries by their protocol and algorithm strings, scripts that fetch and
 * start a miner or point it at a known pool. Rules written for comb. */

rule comb_miner_xmrig_config
{
    meta:
        id = "COMB-MW-060"
        family = "xmrig"
        category = "miner"
        severity = "high"
        description = "XMRig-style miner configuration (JSON with pools[].url, donate-level, randomx or stratum URLs)"
    strings:
        $pools = /"pools"\s{0,4}:\s{0,4}\[/
        $url = /"url"\s{0,4}:\s{0,4}"/
        $stratum = /stratum\+(tcp|ssl|tls):\/\//
        $donate = /"donate-level"\s{0,4}:/
        $randomx = /"randomx"\s{0,4}:\s{0,4}\{/
        $algo = /"algo"\s{0,4}:\s{0,4}("rx\/|"cn\/|"randomx|"cryptonight|"kawpow|"ghostrider|"argon2)/
        $user = /"user"\s{0,4}:\s{0,4}"4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
    condition:
        filesize < 1MB and $pools and $url and ($stratum or $donate) and
        ($donate or $randomx or $algo or $user)
}

rule comb_miner_binary
{
    meta:
        id = "COMB-MW-061"
        family = "cryptominer"
        category = "miner"
        severity = "high"
        description = "Executable with the stratum mining protocol and proof-of-work algorithm names of a CPU/GPU miner"
    strings:
        $p_subscribe = "mining.subscribe"
        $p_authorize = "mining.authorize"
        $p_submit = "mining.submit"
        $p_stratum = "stratum+tcp://"
        $p_stratum_ssl = "stratum+ssl://"
        $p_login = "\"method\":\"login\""
        $a_randomx = "randomx" nocase
        $a_cn = "cryptonight" nocase
        $a_kawpow = "kawpow" nocase
        $a_ethash = "ethash" nocase
        $a_argon = "argon2/chukwa"
        $x_xmrig = "xmrig" nocase
        $x_donate = "donate-level"
        $x_hashrate = /[0-9]{0,2}\s{0,2}(H|kH|MH)\/s/
    condition:
        comb_executable and 2 of ($p_*) and 1 of ($a_*) and 1 of ($x_*)
}

rule comb_miner_pool_host
{
    meta:
        id = "COMB-MW-062"
        family = "cryptominer"
        category = "miner"
        severity = "high"
        description = "Miner command line or script pointing at a known public mining pool (pool host with a stratum URL, -o/--url or a wallet)"
    strings:
        $h1 = "supportxmr.com" nocase
        $h2 = "minexmr.com" nocase
        $h3 = "moneroocean.stream" nocase
        $h4 = "nanopool.org" nocase
        $h5 = "hashvault.pro" nocase
        $h6 = "c3pool.com" nocase
        $h7 = "xmrpool.eu" nocase
        $h8 = "minergate.com" nocase
        $h9 = "herominers.com" nocase
        $h10 = "2miners.com" nocase
        $h11 = "f2pool.com" nocase
        $h12 = "nicehash.com" nocase
        $h13 = "unmineable.com" nocase
        $h14 = "ethermine.org" nocase
        $h15 = "xmrig.com" nocase
        $h16 = "kryptex.network" nocase
        $u_stratum = /stratum\+(tcp|ssl|tls):\/\//
        $u_opt = /\s(-o|--url|--pool)[\s=]{1,3}[A-Za-z0-9.\-]{1,100}:[0-9]{2,5}/
        $u_wallet = /(-u|--user|"user"|wallet)[\s=:"]{1,4}4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $u_xmrig = /\bxmrig\b/ nocase
    condition:
        filesize < 16MB and any of ($h*) and any of ($u_*)
}

rule comb_miner_dropper_script
{
    meta:
        id = "COMB-MW-063"
        family = "miner-dropper"
        category = "miner"
        severity = "high"
        description = "Shell script that downloads, unpacks or starts XMRig (or another miner) in the background"
    strings:
        /* Separate short strings, not one regex with a long gap: a gap after
         * a common word (wget, nohup) costs a verification per occurrence. */
        $name = /\b(xmrig|xmr-stak|cpuminer|minerd|nbminer|lolminer|phoenixminer)\b/ nocase
        $fetch = /\b(curl|wget)\s/
        $bg = /\b(nohup|setsid)\s/
        $screen = "screen -dm"
        $chmod = /chmod\s{1,4}(\+x|[0-7]{3,4})\s/
        $opt_pool = /\s(-o|--url)[ =]{1,3}[A-Za-z0-9.\-]{1,100}:[0-9]{2,5}\b/
        $opt_donate = "--donate-level"
        $opt_algo = /\s-a\s{1,4}(rx\/0|cn\/|randomx|cryptonight)/
        $shebang = /^#!\s{0,2}\/(usr\/)?bin\/(env\s{1,2})?(ba|da|z|k)?sh/
    condition:
        $shebang at 0 and filesize < 1MB and $name and
        (($fetch and ($chmod or $bg or $screen)) or any of ($opt_*))
}
