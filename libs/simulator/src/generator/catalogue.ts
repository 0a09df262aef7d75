/** Products with their ordinary market price (EUR). Dumping offers are priced far below these. */
export interface Product {
  productId: string;
  category: string;
  title: string;
  marketPrice: number;
}

export const PRODUCTS: readonly Product[] = [
  { productId: '4006381333931', category: 'appliances/washing-machines', title: 'Washing machine 8 kg, A+++', marketPrice: 499 },
  { productId: '4242005187012', category: 'appliances/dishwashers', title: 'Dishwasher 60 cm, 13 place settings', marketPrice: 549 },
  { productId: '4242003862171', category: 'appliances/fridges', title: 'Fridge-freezer, 360 l, no frost', marketPrice: 799 },
  { productId: '8806094938734', category: 'appliances/dryers', title: 'Heat-pump dryer 9 kg', marketPrice: 689 },
  { productId: '8710103917625', category: 'appliances/coffee', title: 'Fully automatic espresso machine', marketPrice: 429 },
  { productId: '0194252707340', category: 'electronics/phones', title: 'Smartphone 128 GB, unlocked', marketPrice: 699 },
  { productId: '4548736132610', category: 'electronics/audio', title: 'Noise-cancelling headphones', marketPrice: 279 },
  { productId: '8806095071026', category: 'electronics/tv', title: '55" 4K television', marketPrice: 649 },
  { productId: '0195949038945', category: 'electronics/laptops', title: 'Laptop 14", 16 GB RAM, 512 GB SSD', marketPrice: 1199 },
  { productId: '4002051689895', category: 'tools/drills', title: 'Cordless drill 18 V with two batteries', marketPrice: 149 },
  { productId: '9783161484100', category: 'books/fiction', title: 'Paperback novel', marketPrice: 14 },
  { productId: '4005556220724', category: 'toys/puzzles', title: 'Jigsaw puzzle 1000 pieces', marketPrice: 19 },
  { productId: '4011905436403', category: 'home/kitchen', title: 'Cast-iron pan 28 cm', marketPrice: 59 },
  { productId: '4061703143489', category: 'sports/bikes', title: 'Bicycle helmet, size M', marketPrice: 69 },
  { productId: '4260102320257', category: 'garden/tools', title: 'Garden hose 25 m', marketPrice: 39 },
];

export const APPLIANCES = PRODUCTS.filter((p) => p.category.startsWith('appliances/'));
export const HIGH_VALUE = PRODUCTS.filter((p) => p.marketPrice >= 600);
export const SMALL_ITEMS = PRODUCTS.filter((p) => p.marketPrice < 80);

export const COUNTRIES = ['DE', 'FR', 'PL', 'AT', 'NL', 'BE', 'IT', 'ES'] as const;

export const ORDINARY_DESCRIPTIONS = [
  'Brand new, original packaging, ships within 2 days.',
  'New with manufacturer warranty. Invoice included.',
  'Ships from our warehouse, tracked delivery.',
  'Questions? Contact us through the platform messaging, we answer within a day.',
  'Please contact us through the platform if you need a different size or colour.',
  'Neu und originalverpackt, Versand innerhalb von 2 Tagen.',
  'Neuf, garantie constructeur, expédition rapide.',
  'Nowy, oryginalnie zapakowany, wysyłka w 24 h.',
];

/**
 * Contact bait seen in fake shops (seed 002): move the buyer off the platform before paying.
 * Several languages and obfuscated forms, because the detector must catch all of them.
 */
export const CONTACT_BAIT: Record<'en' | 'de' | 'fr' | 'pl', readonly string[]> = {
  en: [
    'Contact me before buying for the best price: deals.direct24@gmail.com',
    'Limited stock! Email first: bestprice-shop (at) outlook (dot) com, pay by bank transfer for 10% off.',
    'Message me on WhatsApp +44 7700 900123 before you order.',
  ],
  de: [
    'Bitte vor dem Kauf per E-Mail kontaktieren: angebot.haushalt@web.de',
    'Nur noch wenige Stück! Kontakt vor dem Kauf unter haushalt-deal [at] gmx [punkt] de, Vorkasse per Überweisung.',
    'Vor Bestellung bitte bei WhatsApp melden: +49 151 2345 6789',
  ],
  fr: [
    "Contactez-moi avant d'acheter : promo.electromenager@gmail.com",
    'Stock limité, écrivez-moi avant la commande sur WhatsApp +33 6 12 34 56 78, paiement par virement.',
  ],
  pl: [
    'Przed zakupem proszę o kontakt: okazje.agd@wp.pl',
    'Skontaktuj się przed zakupem: agd-promocja (at) gmail (kropka) com, płatność przelewem.',
  ],
};

/** Honest, short and similar-sounding: many buyers write nearly the same thing. */
export const ORDINARY_REVIEWS: Record<number, readonly string[]> = {
  5: ['great product, fast delivery', 'Great product, fast delivery!', 'great product and fast delivery, thanks', 'Top, alles bestens', 'Parfait, livraison rapide', 'Super, polecam'],
  4: ['good product, delivery took a bit longer', 'works as described', 'Gut, gerne wieder', 'good value for money'],
  3: ['ok, packaging was damaged', 'average quality', 'it does the job'],
  2: ['delivery was late, product fine', 'not as described, but seller answered'],
  1: ['item arrived broken, waiting for a refund'],
};

/** A coordinated smear campaign: one message paraphrased many times (seed 004: "look alike, mass-generated"). */
export const COMPLAINT_PARAPHRASES = [
  'SCAM! This seller took my money and never shipped. Avoid at all costs!',
  'Scam seller - took my money, never shipped anything. Avoid!!',
  'This seller is a scam, took the money and never shipped. Stay away.',
  'Total scam. Seller took my money and the item was never shipped. Avoid this shop!',
  'Avoid this seller, a scam: they took my money and never shipped it.',
  'SCAM. Took my money, never shipped. Avoid this seller at all costs.',
  'Seller is a scammer, money taken, item never shipped. AVOID!',
  'They took my money and never shipped, this seller is a scam, avoid.',
];

export const CARD_DECLINES = ['do_not_honor', 'insufficient_funds', 'cvc_mismatch', 'expired_card', 'invalid_number'];
