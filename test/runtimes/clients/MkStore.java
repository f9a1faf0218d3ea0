// MkStore.java: the oracle's Java keystores, written by Java's own KeyStore
// implementation (as keytool would), all in one JVM:
//   java MkStore.java OUT,PASSWORD,INPUT[,INPUT...] ...
// OUT's type follows its extension (.jks, .p12). An INPUT ending in .jks is
// a keystore whose entries are copied (read without a password, as the JVM
// reads cacerts); any other INPUT is a PEM file whose certificates become
// trusted certificate entries.
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collections;

public class MkStore {
	public static void main(String[] args) throws Exception {
		CertificateFactory cf = CertificateFactory.getInstance("X.509");

		for (String spec : args) {
			String[] a = spec.split(",");
			char[] pw = a[1].toCharArray();
			KeyStore ks = KeyStore.getInstance(a[0].endsWith(".p12") ?
			    "PKCS12" : "JKS");
			ks.load(null, pw);
			int n = 0;
			for (int i = 2; i < a.length; i++) {
				if (a[i].endsWith(".jks")) {
					KeyStore base = KeyStore.getInstance("JKS");
					try (FileInputStream in =
					    new FileInputStream(a[i])) {
						base.load(in, null);
					}
					for (String al :
					    Collections.list(base.aliases()))
						ks.setCertificateEntry(al,
						    base.getCertificate(al));
					continue;
				}
				try (FileInputStream in = new FileInputStream(a[i])) {
					for (Certificate c :
					    cf.generateCertificates(in))
						ks.setCertificateEntry("tp-" + (n++),
						    c);
				}
			}
			try (FileOutputStream o = new FileOutputStream(a[0])) {
				ks.store(o, pw);
			}
		}
	}
}
