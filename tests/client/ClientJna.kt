// SPDX-License-Identifier: LGPL-2.1-or-later
// libpfclient from Kotlin/JVM through JNA, the way an Android client binds it: make an
// identity, pair with a running pfhost by PIN, connect again with the pinned fingerprint,
// stream, pull video access units and audio packets, read statistics. Prints TAP.
// usage: ClientJnaKt LIBPFCLIENT ADDRESS PORT PIN HOST_FINGERPRINT_HEX
import com.sun.jna.Library
import com.sun.jna.Memory
import com.sun.jna.Native
import com.sun.jna.NativeLong
import com.sun.jna.Pointer
import com.sun.jna.Structure
import com.sun.jna.ptr.PointerByReference

class LogHook : Structure() {
    @JvmField var fn: Pointer? = null
    @JvmField var userData: Pointer? = null
    @JvmField var maxLevel: Int = 0
    override fun getFieldOrder() = listOf("fn", "userData", "maxLevel")
}

class Settings : Structure() {
    @JvmField var structSize: Int = 0
    @JvmField var certPem: String? = null
    @JvmField var keyPem: String? = null
    @JvmField var hostFingerprint: Pointer? = null
    @JvmField var deviceName: String? = null
    @JvmField var connectTimeoutMs: Int = 0
    @JvmField var log: LogHook = LogHook()
    override fun getFieldOrder() = listOf("structSize", "certPem", "keyPem", "hostFingerprint",
                                          "deviceName", "connectTimeoutMs", "log")
}

class StreamSettings : Structure() {
    @JvmField var structSize: Int = 0
    @JvmField var width: Int = 0
    @JvmField var height: Int = 0
    @JvmField var refreshHz: Int = 0
    @JvmField var codecs: Int = 0
    @JvmField var preferredCodec: Int = 0
    @JvmField var bitrateKbps: Int = 0
    @JvmField var videoCaps: Int = 0
    @JvmField var audioChannels: Int = 0
    @JvmField var videoQueue: Int = 0
    @JvmField var audioQueue: Int = 0
    @JvmField var autoKeyframe: Int = 0
    override fun getFieldOrder() = listOf("structSize", "width", "height", "refreshHz", "codecs",
        "preferredCodec", "bitrateKbps", "videoCaps", "audioChannels", "videoQueue",
        "audioQueue", "autoKeyframe")
}

class VideoFrame : Structure() {
    @JvmField var structSize: Int = 0
    @JvmField var flags: Int = 0
    @JvmField var data: Pointer? = null
    @JvmField var len: NativeLong = NativeLong(0) // size_t on LP64
    @JvmField var frameIndex: Int = 0
    @JvmField var userFlags: Int = 0
    @JvmField var ptsNs: Long = 0
    @JvmField var firstPacketNs: Long = 0
    @JvmField var reassembledNs: Long = 0
    @JvmField var clockOffsetNs: Long = 0
    @JvmField var clockValid: Int = 0
    @JvmField var receivedShards: Int = 0
    @JvmField var recoveredShards: Int = 0
    @JvmField var hostUs: Int = 0
    @JvmField var hostQueueUs: Int = 0
    @JvmField var hostEncodeUs: Int = 0
    @JvmField var hostPaceUs: Int = 0
    override fun getFieldOrder() = listOf("structSize", "flags", "data", "len", "frameIndex",
        "userFlags", "ptsNs", "firstPacketNs", "reassembledNs", "clockOffsetNs", "clockValid",
        "receivedShards", "recoveredShards", "hostUs", "hostQueueUs", "hostEncodeUs",
        "hostPaceUs")
}

class AudioPacket : Structure() {
    @JvmField var structSize: Int = 0
    @JvmField var seq: Int = 0
    @JvmField var ptsNs: Long = 0
    @JvmField var data: Pointer? = null
    @JvmField var len: NativeLong = NativeLong(0)
    override fun getFieldOrder() = listOf("structSize", "seq", "ptsNs", "data", "len")
}

class Stats : Structure() {
    @JvmField var structSize: Int = 0
    @JvmField var clockValid: Int = 0
    @JvmField var clockOffsetNs: Long = 0
    @JvmField var clockRttNs: Long = 0
    @JvmField var framesDelivered: Long = 0
    @JvmField var framesLost: Long = 0
    @JvmField var framesDropped: Long = 0
    @JvmField var keyframesRequested: Long = 0
    @JvmField var packetsReceived: Long = 0
    @JvmField var bytesReceived: Long = 0
    @JvmField var shardsRecovered: Long = 0
    @JvmField var shardsLate: Long = 0
    @JvmField var packetsAuthFailed: Long = 0
    @JvmField var audioPackets: Long = 0
    @JvmField var audioDropped: Long = 0
    @JvmField var bitrateKbps: Int = 0
    @JvmField var lossPpm: Int = 0
    @JvmField var latencyP50Ns: Long = 0
    @JvmField var latencyP95Ns: Long = 0
    @JvmField var latencyP99Ns: Long = 0
    override fun getFieldOrder() = listOf("structSize", "clockValid", "clockOffsetNs",
        "clockRttNs", "framesDelivered", "framesLost", "framesDropped", "keyframesRequested",
        "packetsReceived", "bytesReceived", "shardsRecovered", "shardsLate",
        "packetsAuthFailed", "audioPackets", "audioDropped", "bitrateKbps", "lossPpm",
        "latencyP50Ns", "latencyP95Ns", "latencyP99Ns")
}

class CloseInfo : Structure() {
    @JvmField var structSize: Int = 0
    @JvmField var reason: Int = 0
    @JvmField var remote: Int = 0
    @JvmField var code: Long = 0
    @JvmField var text: ByteArray = ByteArray(257)
    override fun getFieldOrder() = listOf("structSize", "reason", "remote", "code", "text")
}

interface PfClient : Library {
    fun pf_client_abi_version(): Int
    fun pf_client_close_reason_string(reason: Int): String
    fun pf_client_settings_default(s: Settings)
    fun pf_client_stream_settings_default(s: StreamSettings)
    fun pf_client_connect(s: Settings, host: String, port: Short, ret: PointerByReference): Int
    fun pf_client_destroy(c: Pointer)
    fun pf_client_close(c: Pointer)
    fun pf_client_get_host_fingerprint(c: Pointer, out: ByteArray): Int
    fun pf_client_pair(c: Pointer, pin: String, timeoutMs: Int): Int
    fun pf_client_start(c: Pointer, s: StreamSettings, info: Pointer?, timeoutMs: Int): Int
    fun pf_client_video_next(c: Pointer, timeoutMs: Int, f: VideoFrame): Int
    fun pf_client_audio_next(c: Pointer, timeoutMs: Int, p: AudioPacket): Int
    fun pf_client_send_input(c: Pointer, kind: Int, code: Int, x: Int, y: Int, flags: Int): Int
    fun pf_client_get_stats(c: Pointer, s: Stats): Int
    fun pf_client_get_close_info(c: Pointer, ci: CloseInfo): Int
    fun pf_client_identity_generate(key: PointerByReference, cert: PointerByReference): Int
    fun pf_client_free(p: Pointer)
}

var n = 0
var failed = 0
fun check(cond: Boolean, name: String, context: Any? = null) {
    n++
    println((if (cond) "ok " else "not ok ") + n + " - " + name)
    if (!cond) {
        failed++
        if (context != null) println("#   " + context)
    }
}

fun hex(b: ByteArray) = b.joinToString("") { String.format("%02x", it) }

fun reason(lib: PfClient, c: Pointer): String {
    val ci = CloseInfo()
    ci.structSize = ci.size()
    lib.pf_client_get_close_info(c, ci)
    return lib.pf_client_close_reason_string(ci.reason) + " (" + ci.reason + ")"
}

fun connect(lib: PfClient, key: String, cert: String, addr: String, port: Int,
            pin: ByteArray?): Pair<Int, Pointer> {
    val s = Settings()
    lib.pf_client_settings_default(s)
    s.read() // the C side filled struct_size and the defaults
    s.certPem = cert
    s.keyPem = key
    s.deviceName = "kotlin consumer"
    if (pin != null) {
        val m = Memory(32)
        m.write(0, pin, 0, 32)
        s.hostFingerprint = m
    }
    val ref = PointerByReference()
    val r = lib.pf_client_connect(s, addr, port.toShort(), ref)
    return Pair(r, ref.value)
}

fun main(args: Array<String>) {
    val lib = Native.load(args[0], PfClient::class.java) as PfClient
    val addr = args[1]
    val port = args[2].toInt()
    check(lib.pf_client_abi_version() == 1, "abi version is 1")

    val kr = PointerByReference()
    val cr = PointerByReference()
    check(lib.pf_client_identity_generate(kr, cr) == 0, "identity generated")
    val key = kr.value.getString(0)
    val cert = cr.value.getString(0)
    lib.pf_client_free(kr.value)
    lib.pf_client_free(cr.value)

    var (r, c) = connect(lib, key, cert, addr, port, null)
    val fp = ByteArray(32)
    lib.pf_client_get_host_fingerprint(c, fp)
    check(r == 0 && hex(fp) == args[4], "connected; the host fingerprint matches", hex(fp))
    r = lib.pf_client_pair(c, args[3], 10000)
    check(r == 0, "paired by PIN from Kotlin", "" + r + " " + reason(lib, c))
    lib.pf_client_destroy(c)

    val second = connect(lib, key, cert, addr, port, fp)
    r = second.first
    c = second.second
    val ss = StreamSettings()
    lib.pf_client_stream_settings_default(ss)
    ss.read()
    ss.width = 1280
    ss.height = 720
    ss.refreshHz = 60
    if (r == 0)
        r = lib.pf_client_start(c, ss, null, 15000)
    check(r == 0, "stream started with the pinned fingerprint", "" + r + " " + reason(lib, c))

    val f = VideoFrame()
    f.structSize = f.size()
    val a = AudioPacket()
    a.structSize = a.size()
    val indexes = ArrayList<Int>()
    var bytes = 0L
    var audio = 0
    var firstAu = ByteArray(0)
    while (r == 0 && indexes.size < 90) {
        if (lib.pf_client_video_next(c, 10000, f) != 0)
            break
        indexes.add(f.frameIndex)
        bytes += f.len.toLong()
        if (firstAu.isEmpty())
            firstAu = f.data!!.getByteArray(0, minOf(f.len.toInt(), 32))
        while (lib.pf_client_audio_next(c, 0, a) == 0)
            audio++
    }
    check(indexes.size == 90, "90 access units pulled (" + bytes + " bytes)", reason(lib, c))
    check(indexes.isNotEmpty() && indexes == (indexes[0] until indexes[0] + indexes.size).toList(),
          "frame indexes in order without a hole", indexes.take(8))
    check(hex(firstAu).contains("0000000167") || hex(firstAu).contains("00000140"),
          "the first AU carries parameter sets", hex(firstAu))
    check(audio > 0, "audio packets pulled (" + audio + ")")
    check(lib.pf_client_send_input(c, 0, 0x41, 0, 0, 0) == 0, "input sent")
    val st = Stats()
    st.structSize = st.size()
    lib.pf_client_get_stats(c, st)
    check(st.framesDelivered >= 90 && st.packetsReceived > 0 && st.clockValid == 1,
          "statistics: " + st.framesDelivered + " frames, " + st.packetsReceived +
          " packets, clock offset " + st.clockOffsetNs + " ns")
    lib.pf_client_close(c)
    lib.pf_client_destroy(c)
    println("1.." + n)
    System.exit(if (failed == 0) 0 else 1)
}
