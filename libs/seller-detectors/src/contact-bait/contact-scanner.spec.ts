import { contactHashes, ContactKind, scanContactBait } from './contact-scanner';

/** Texts that carry off-platform contact bait, with the kind that must be found. */
const POSITIVES: [string, ContactKind][] = [
  // e-mail, plain and obfuscated
  ['Write to seller.shop@gmail.com for a discount', 'email'],
  ['mail: bestdeals at gmail dot com', 'email'],
  ['mail: bestdeals(at)gmail(dot)com', 'email'],
  ['bestdeals [at] outlook [dot] de', 'email'],
  ['bestdeals {at} yahoo {dot} fr', 'email'],
  ['kontakt: jan.kowalski malpa wp kropka pl', 'email'],
  ['bestdeals @ gmx . de', 'email'],
  ['b\u200Be\u200Bstdeals@gmail.com', 'email'],
  ['bestdeals@gmаil.com', 'email'], // Cyrillic а
  ['ＢＥＳＴＤＥＡＬＳ＠ＧＭＡＩＬ．ＣＯＭ', 'email'],
  ['E-Mail: verkauf punkt info at web punkt de', 'email'],
  ['écrivez à vendeur(arobase)orange(point)fr', 'email'],
  ['contact: deals (at) protonmail (dot) com thanks', 'email'],
  ['my mail is johnny_99 at hotmail dot co', 'email'],
  ['Schnäppchen! Anfragen an haendler2024@web.de', 'email'],
  // phones
  ['Call +49 170 1234567 for details', 'phone'],
  ['Tel. 0170 / 123 45 67', 'phone'],
  ['Telefon: 030-12345678', 'phone'],
  ['appelez le 06 12 34 56 78', 'phone'],
  ['tel: +33 6 12 34 56 78', 'phone'],
  ['zadzwoń 501 234 567', 'phone'],
  ['+48 501-234-567 dzwoń', 'phone'],
  ['0044 7911 123456 call me', 'phone'],
  ['phone: (212) 555-0199', 'phone'],
  ['call zero one seven zero one two three four five six seven', 'phone'],
  ['Handy null eins sieben null eins zwei drei vier fünf sechs sieben', 'phone'],
  ['tel zero six un deux trois quatre cinq six sept huit', 'phone'],
  ['tel: +４９ １７０ １２３４５６７', 'phone'],
  ['phone +49\u200B170\u200B1234567', 'phone'],
  ['SMS 0176.98765432', 'phone'],
  ['ring me 07911 123456', 'phone'],
  ['numéro: 01 42 68 53 00', 'phone'],
  ['komórka 600 700 800', 'phone'],
  ['+44 20 7946 0958', 'phone'],
  // messengers and links
  ['WhatsApp: +49 151 2345678', 'messenger'],
  ['contact me on whatsapp', 'messenger'],
  ['w h a t s a p p me for the price', 'messenger'],
  ['whats app only', 'messenger'],
  ['Telegram @cheapdeals_bot', 'messenger'],
  ['tele gram: cheapdeals', 'messenger'],
  ['wa.me/4915123456789', 'messenger'],
  ['https://t.me/cheapdeals', 'messenger'],
  ['add me on signal 0151 2345678', 'messenger'],
  ['schreib mir auf Viber', 'messenger'],
  ['Skype: bestseller.live', 'messenger'],
  ['napisz na whatsapp', 'messenger'],
  ['contactez-moi sur Telegram', 'messenger'],
  ['Order at www.cheap-appliances-outlet.com', 'link'],
  ['better prices on http://bit.ly/3xYz', 'link'],
  ['see shop-deals.net/offers', 'link'],
  ['visit cheap-deals(dot)shop/offers', 'link'],
  // intent phrases, four languages
  ['Please contact me before buying', 'intent'],
  ['message me before you buy, stock is limited', 'intent'],
  ['Email me directly for the best price', 'intent'],
  ['We can deal outside the platform, cheaper', 'intent'],
  ['Payment via Western Union only', 'intent'],
  ['Bitte vor dem Kauf per E-Mail kontaktieren', 'intent'],
  ['Kontaktieren Sie mich vor dem Kauf', 'intent'],
  ['Schreiben Sie mir direkt, Versand sofort', 'intent'],
  ['Vor dem Kauf bitte melden!', 'intent'],
  ['Zahlung direkt per Überweisung', 'intent'],
  ['Contactez-moi avant achat', 'intent'],
  ['Avant tout achat, contactez-moi', 'intent'],
  ['merci de me contacter directement', 'intent'],
  ['Ecrivez-moi par mail pour le prix', 'intent'],
  ['Proszę o kontakt przed zakupem', 'intent'],
  ['Przed zakupem skontaktuj się ze mną', 'intent'],
  ['Napisz do mnie bezpośrednio', 'intent'],
  ['Skontaktuj się mailowo', 'intent'],
  ['Сontact me before buying', 'intent'], // Cyrillic С
  ['con\u200Btact me before buying', 'intent'],
];

/** Ordinary listing and review texts: prices, SKUs, dates, order numbers, GTINs, platform contact. */
const NEGATIVES: string[] = [
  'Contact us through the platform messages if you have questions',
  'Please use the marketplace chat to contact the seller',
  'Bei Fragen kontaktieren Sie uns über die Plattform',
  'Pour toute question, utilisez la messagerie de la plateforme',
  'W razie pytań prosimy o wiadomość przez platformę',
  'Price 1.299,00 EUR incl. VAT',
  'Only 19.99 € - free shipping',
  'Was 1,249.00 USD now 999.00 USD',
  'Preis: 2 499,00 €',
  'Prix : 349,99 € TTC',
  'Cena 1 299,00 zł',
  'GTIN 4006381333931',
  'EAN: 5901234123457',
  'ISBN 9783161484100',
  'UPC 036000291452',
  'SKU-10023-XL-BLACK',
  'SKU 100234567890',
  'Art.-Nr. 123456789',
  'Order #123456789012',
  'Bestellnummer 0123456789',
  'Commande n° 2024031512345',
  'Numer zamówienia 987654321',
  'Invoice 2024-000123456',
  'Tracking 003404341234567890',
  'Delivered on 2024-05-12 at 10:30',
  'Lieferung am 12.05.2024',
  'Livraison le 12/05/2024',
  'Dostawa 12.05.2024 r.',
  'Model WM14N2G1 washing machine, 1400 rpm, 8 kg',
  'Samsung Galaxy S23 Ultra 256 GB, Phantom Black',
  'Dimensions 60 x 55 x 85 cm, weight 70 kg',
  'Energy class A+++, 152 kWh per year',
  'Serial 2023110500017',
  'Waschmaschine 8 kg, 1400 U/min, Energieeffizienz A',
  'Lave-linge 9 kg, 1400 tours/min',
  'Pralka 7 kg, klasa energetyczna A',
  'Great seller, fast delivery, would buy again',
  'Super Verkäufer, schnelle Lieferung',
  'Vendeur sérieux, livraison rapide',
  'Polecam, szybka wysyłka',
  'The signal strength of this router is excellent',
  'Works on 5G and LTE, strong signal indoors',
  'Product line 2024, new design',
  'Straight line cutter, 30 cm blade',
  'Version 2.0.1 firmware included',
  'Read the manual.pdf before use',
  'Contact me if the item arrives damaged via the platform',
  'Bought it before buying the other one, no regrets',
  'We ship within 2 business days',
  'Set of 4, 12 x 30 cm each, 100% cotton',
  'Battery 5000 mAh, charging 45 W',
  'Resolution 3840 x 2160, 120 Hz',
  'Opening hours Mon-Fri 9:00-18:00',
  'Quantity 1000000 pieces in stock',
  'Warranty 24 months from 01.01.2025',
  'Kaufdatum 01.02.2025, Rechnung vorhanden',
  'Rechnung 202400123456 liegt bei',
  'Ref. 4242424242424242',
  'Lot 100200300400',
  'Vor dem Kauf bitte Maße prüfen',
  'Avant achat, vérifiez les dimensions',
  'Przed zakupem sprawdź rozmiar',
  'at home, at work, at the gym: the perfect bottle',
  'Made in Germany at our factory in Stuttgart',
  'Colour: black. Size: M. Material: wool',
  'Call of Duty game for PS5',
  'Telefonhülle für iPhone 15',
  'Phone case for Samsung Galaxy A54',
  'Skin care line for dry skin',
];

describe('scanContactBait', () => {
  it('has at least 60 positive and 60 negative cases', () => {
    expect(POSITIVES.length).toBeGreaterThanOrEqual(60);
    expect(NEGATIVES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(POSITIVES)('finds bait in %p (%s)', (text, kind) => {
    const findings = scanContactBait(text);
    expect(findings.map((f) => f.kind)).toContain(kind);
  });

  it.each(NEGATIVES)('finds nothing in %p', (text) => {
    expect(scanContactBait(text)).toEqual([]);
  });

  it('normalises obfuscated forms to the same value, so rings match across spellings', () => {
    const plain = scanContactBait('bestdeals@gmail.com');
    const obfuscated = scanContactBait('b\u200Bestdeals (at) gmаil (dot) com');
    expect(contactHashes(plain)).toEqual(contactHashes(obfuscated));
    expect(scanContactBait('tel +49 170 1234567')[0]?.value).toBe('+491701234567');
    expect(scanContactBait('tel 0170 1234567').find((f) => f.kind === 'phone')?.value).toBe('+491701234567');
  });

  it('ignores the platform own links when told so', () => {
    expect(scanContactBait('see vigil-market.com/help', { allowedHosts: ['vigil-market.com'] })).toEqual([]);
  });
});
