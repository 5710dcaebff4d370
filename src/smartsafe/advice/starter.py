# ruff: noqa: E501 -- article text: one Markdown paragraph per line reads and diffs better than wrapped prose
"""The starter articles every new centre gets (data migration ``0002``): short, kind, accurate.

Authored in Serbian Cyrillic and English; Serbian Latin is generated. They name no phone number:
the helpline is a setting and is shown on every page. Staff change or withdraw them like any other
article; the loader never overwrites an article that already exists.
"""

from __future__ import annotations

from smartsafe.core.text import fold_many

ARTICLES: list[dict] = [
    {
        "slug": "someone-threatens-to-share-my-photos",
        "audience": "children",
        "topics": ["threats_blackmail", "sexting"],
        "title_sr": "Неко прети да ће поделити моје фотографије",
        "title_en": "Someone is threatening to share my photos",
        "summary_sr": "Не плаћај, не бриши, пријави. Ниси крив/а и ниси сам/а.",
        "summary_en": "Don't pay, don't delete, report. It is not your fault and you are not alone.",
        "body_sr": """Ако неко тражи новац, још фотографија или нешто друго и прети да ће поделити твоје слике или снимке — **то је кривично дело, а не твоја грешка**. Такве особе често глуме вршњаке и раде исто са много деце.

## Шта да урадиш одмах

1. **Не плаћај и не шаљи ништа више.** Плаћање ретко зауставља уцењивача — обично тражи још.
2. **Не бриши преписку и налог.** Порука, корисничко име и линк ка профилу су доказ. Направи снимке екрана (погледај [како се то ради](/advice/screenshots-as-evidence/)) пре него што блокираш особу.
3. **Престани да одговараш** и блокирај особу тек када сачуваш доказе.
4. **Реци одраслој особи којој верујеш** — родитељу, наставнику, школском психологу.
5. **Пријави.** Користи дугме „Пријави“ на почетној страни или позови наш број. Ако си у опасности сада, позови полицију на 192.

Ако ти је мање од 18 година, слику можеш да пријавиш и платформи на којој је објављена: платформе морају да уклоне такав садржај.

Не мораш ово да решаваш сам/а. Разговор са нама је бесплатан и поверљив.""",
        "body_en": """If someone asks for money, more pictures or anything else and threatens to share your photos or videos — **that is a crime, not your mistake**. These people often pretend to be your age and do the same to many children.

## What to do right now

1. **Don't pay and don't send anything more.** Paying rarely stops a blackmailer — usually they ask for more.
2. **Don't delete the chat or your account.** The messages, the user name and the link to the profile are evidence. Take screenshots (see [how to do it](/advice/screenshots-as-evidence/)) before you block the person.
3. **Stop replying**, and block the person only after you have saved the evidence.
4. **Tell an adult you trust** — a parent, a teacher, the school psychologist.
5. **Report it.** Use the "Report" button on the home page or call our helpline. If you are in danger right now, call the police on 192.

If you are under 18 you can also report the picture to the platform where it was posted: platforms must remove such content.

You don't have to deal with this alone. Talking to us is free and confidential.""",
    },
    {
        "slug": "screenshots-as-evidence",
        "audience": "everyone",
        "topics": ["cyberbullying", "threats_blackmail", "profile_abuse", "predators"],
        "title_sr": "Како да сачуваш доказе снимком екрана",
        "title_en": "How to keep evidence with screenshots",
        "summary_sr": "Пре него што блокираш или обришеш: сними поруке, профил, датум и линк.",
        "summary_en": "Before you block or delete anything: capture the messages, the profile, the date and the link.",
        "body_sr": """Полиција и платформе могу да помогну много више када пријава има доказе. Људи често обришу поруке или блокирају особу пре пријаве — и доказ нестане.

## Како се прави снимак екрана

- **Android:** истовремено притисни дугме за укључивање и утишавање звука.
- **iPhone са Face ID:** бочно дугме и појачавање звука. **iPhone са дугметом Home:** дугме Home и бочно дугме.
- **Windows:** тастери Windows + Shift + S. **Mac:** Cmd + Shift + 4 (део екрана) или Cmd + Shift + 3 (цео екран).

## Шта треба да се види

- цела порука или објава, и оно што је било пре и после ње;
- **корисничко име и профил** особе (отвори профил и сними га; препиши и линк профила);
- **датум и време** поруке;
- **адреса (URL)** објаве, ако постоји.

Многе апликације (Viber, WhatsApp, Instagram, TikTok) имају и извоз преписке или преузимање података — и то је добар доказ.

## Важно

- Не мењај и не исецај слике; сачувај оригинале.
- **Никада не прави снимке сексуалних слика деце**, ни да би их пријавио/ла. Пошаљи нам само линк (адресу) — ми ћемо га проследити.
- Тек када сачуваш доказе, блокирај особу и пријави налог платформи.""",
        "body_en": """The police and platforms can help a lot more when a report comes with evidence. People often delete the messages or block the person before they report — and the evidence is gone.

## How to take a screenshot

- **Android:** press the power and volume-down buttons together.
- **iPhone with Face ID:** the side button and volume up. **iPhone with a Home button:** the Home button and the side button.
- **Windows:** Windows + Shift + S. **Mac:** Cmd + Shift + 4 (part of the screen) or Cmd + Shift + 3 (the whole screen).

## What should be visible

- the whole message or post, and what came before and after it;
- the person's **user name and profile** (open the profile and capture it; copy the profile link too);
- the **date and time** of the message;
- the **address (URL)** of the post, if there is one.

Many apps (Viber, WhatsApp, Instagram, TikTok) can also export a chat or download your data — that is good evidence too.

## Important

- Don't edit or crop the pictures; keep the originals.
- **Never take screenshots of sexual images of children**, not even to report them. Send us only the link (the address) — we will pass it on.
- Only when the evidence is saved, block the person and report the account to the platform.""",
    },
    {
        "slug": "privacy-settings-instagram-tiktok",
        "audience": "children",
        "topics": ["privacy_settings", "technical_help"],
        "title_sr": "Подешавања приватности на Instagram-у и TikTok-у",
        "title_en": "Privacy settings on Instagram and TikTok",
        "summary_sr": "Пет минута подешавања која одлучују ко види твоје објаве и ко може да ти пише.",
        "summary_en": "Five minutes of settings that decide who sees your posts and who can message you.",
        "body_sr": """Називи у менијима се понекад мењају, али ова подешавања постоје у обе апликације.

## Instagram

- **Приватан налог:** Подешавања и активности → Приватност налога → укључи „Приватан налог“. Тада само пратиоци које прихватиш виде твоје објаве.
- **Поруке:** одреди да ти нове поруке шаљу само људи које пратиш.
- **Скривене речи:** филтрира увредљиве коментаре и поруке.
- **Статус активности:** искључи га, да други не виде када си на мрежи.
- **Локација:** не додај локацију на објаве и приче док си тамо.

## TikTok

- **Приватан налог:** Подешавања и приватност → Приватност → „Приватан налог“.
- **Коментари, Duet и Stitch:** ограничи на пријатеље или искључи.
- **Директне поруке:** само пријатељи, или нико.
- **Предлагање налога другима:** искључи, да те непознати лакше не пронађу.
- **Family Pairing** (упаривање породице) омогућава родитељу да помогне око подешавања.

## Увек важи

- Прихватај само људе које познајеш и уживо.
- Налог младих до 16 година је у обе апликације подразумевано приватан — немој то да мењаш.
- Ако те неко узнемирава: сачувај доказе, блокирај, пријави.""",
        "body_en": """Menu names change now and then, but these settings exist in both apps.

## Instagram

- **Private account:** Settings and activity → Account privacy → turn on "Private account". Then only followers you accept see your posts.
- **Messages:** let only people you follow send you new messages.
- **Hidden words:** filters offensive comments and messages.
- **Activity status:** turn it off, so others don't see when you are online.
- **Location:** don't add a location to posts and stories while you are still there.

## TikTok

- **Private account:** Settings and privacy → Privacy → "Private account".
- **Comments, Duet and Stitch:** limit them to friends, or turn them off.
- **Direct messages:** friends only, or nobody.
- **Suggest your account to others:** turn it off, so strangers find you less easily.
- **Family Pairing** lets a parent help with the settings.

## Always

- Accept only people you also know in real life.
- Accounts of under-16s are private by default in both apps — keep it that way.
- If someone harasses you: save the evidence, block, report.""",
    },
    {
        "slug": "cyberbullying-advice-for-parents",
        "audience": "parents",
        "topics": ["cyberbullying"],
        "title_sr": "Вршњачко насиље на интернету: савети за родитеље",
        "title_en": "Cyberbullying: advice for parents",
        "summary_sr": "Како да препознате насиље, разговарате са дететом и реагујете заједно са школом.",
        "summary_en": "How to notice it, talk with your child and act together with the school.",
        "body_sr": """Насиље на интернету су увредљиве поруке, исмевање, искључивање из група, лажни профили, ширење гласина или фотографија. Прати дете и кући, у џепу — зато боли.

## Знаци на које треба обратити пажњу

Дете се узнемири после коришћења телефона, крије екран, не жели у школу, повлачи се од друштва, лоше спава.

## Шта да урадите

1. **Саслушајте мирно.** Захвалите детету што вам је рекло. Не кривите га.
2. **Не одузимајте телефон као казну** — деца онда престају да говоре шта им се дешава.
3. **Сачувајте доказе** (снимци екрана са корисничким именом, датумом и линком) пре блокирања.
4. **Не узвраћајте** и не пишите насилнику или његовим родитељима на мрежи.
5. **Пријавите садржај** платформи и **обавестите школу:** свака школа има тим за заштиту од насиља и дужна је да реагује и када се насиље дешава на интернету.
6. **Пријавите нама** — помоћи ћемо и, када треба, проследити случај надлежнима.

Ако дете говори о самоповређивању или мисли да нема излаза, потражите помоћ одмах — позовите нас или хитну помоћ (194).""",
        "body_en": """Cyberbullying means hurtful messages, mockery, being left out of groups, fake profiles, rumours or photos spread around. It follows a child home, in their pocket — that is why it hurts so much.

## Signs to watch for

Your child is upset after using the phone, hides the screen, does not want to go to school, withdraws from friends, sleeps badly.

## What to do

1. **Listen calmly.** Thank your child for telling you. Don't blame them.
2. **Don't take the phone away as a punishment** — children then stop telling you what happens.
3. **Keep the evidence** (screenshots with the user name, date and link) before blocking.
4. **Don't retaliate**, and don't write to the bully or their parents online.
5. **Report the content** to the platform and **tell the school:** every school has a team for protection from violence and must act also when the violence happens online.
6. **Report it to us** — we will help and, where needed, forward the case to the responsible institution.

If your child talks about self-harm or feels there is no way out, get help at once — call us or the ambulance (194).""",
    },
    {
        "slug": "grooming-warning-signs",
        "audience": "parents",
        "topics": ["predators"],
        "title_sr": "Врбовање деце на интернету: знаци упозорења",
        "title_en": "Online grooming: warning signs",
        "summary_sr": "Одрасли који на мрежи траже контакт са децом често следе исти образац. Препознајте га на време.",
        "summary_en": "Adults who target children online often follow the same pattern. Recognise it early.",
        "body_sr": """Врбовање (grooming) је када одрасла особа гради поверење са дететом да би га сексуално злоупотребила — на мрежи или уживо. Често се представља као вршњак.

## Како то обично изгледа

- много пажње, комплимената и разумевања („само ја те разумем“);
- поклони: новац, допуне, ставке у играма;
- тражи да **разговор остане тајна** и прелази на приватне апликације;
- пита да ли је дете само, где су родитељи;
- постепено уводи сексуалне теме, тражи фотографије;
- жели да се нађу уживо.

## Знаци код детета

Крије телефон, има новог „пријатеља“ кога не познајете, нове поклоне или новац, мења расположење, касно је на мрежи.

## Шта да урадите

1. Останите мирни и не кривите дете — одговорност је увек на одраслом.
2. **Не суочавајте се са том особом** и не бришите налоге и поруке: сачувајте доказе.
3. **Пријавите одмах.** Ако је договорен сусрет или је дете у опасности, позовите полицију на **192**.""",
        "body_en": """Grooming is when an adult builds trust with a child in order to abuse them sexually — online or in person. They often pretend to be the child's age.

## What it usually looks like

- a lot of attention, compliments and understanding ("only I understand you");
- gifts: money, phone credit, items in games;
- asks to **keep the conversation secret** and moves it to private apps;
- asks whether the child is alone, where the parents are;
- slowly brings in sexual topics, asks for photos;
- wants to meet in person.

## Signs in your child

Hides the phone, has a new "friend" you don't know, new gifts or money, mood changes, is online late at night.

## What to do

1. Stay calm and don't blame your child — the responsibility is always the adult's.
2. **Don't confront the person**, and don't delete accounts or messages: keep the evidence.
3. **Report it at once.** If a meeting has been arranged or the child is in danger, call the police on **192**.""",
    },
    {
        "slug": "dangerous-online-challenges",
        "audience": "everyone",
        "topics": ["dangerous_challenges", "harmful_content"],
        "title_sr": "Опасни и лажни изазови на интернету",
        "title_en": "Dangerous and fake online challenges",
        "summary_sr": "Неки изазови могу да повреде, а неки су само страшне приче. Како да разговарате о њима.",
        "summary_en": "Some challenges can hurt, some are only scary stories. How to talk about them.",
        "body_sr": """На друштвеним мрежама се шире изазови у којима се нешто снима и дели. Неки су безазлени, али неки — гушење, гутање предмета или лекова, опасни скокови — доводе до тешких повреда, па и смрти. Постоје и **лажни изазови**: застрашујуће приче о ликовима који „наређују“ деци, које се шире упозорењима.

## За децу и младе

Пре него што пробаш нешто са интернета, запитај се: *Може ли неко да се повреди? Да ли се то може поништити? Да ли би било у реду да то виде родитељи?* Ако није — не ради. Прави пријатељи те неће терати.

## За одрасле

- Разговарајте мирно и питајте шта дете зна, без држања предавања.
- **Не шаљите даље упозорења** о лажним изазовима са сликама — тиме их ширите.
- Пријавите опасан садржај платформи и нама.
- Ако се дете повредило или је у опасности, позовите хитну помоћ (**194**).""",
        "body_en": """Challenges spread on social media: someone films a stunt and shares it. Some are harmless, but some — choking, swallowing objects or medicines, dangerous jumps — lead to serious injuries and even death. There are also **fake challenges**: frightening stories about characters who "order" children to do things, spread by warnings.

## For children and young people

Before you try something from the internet, ask yourself: *Could anyone get hurt? Can it be undone? Would it be fine if my parents saw it?* If not — don't. Real friends won't push you.

## For adults

- Talk calmly and ask what your child knows, without lecturing.
- **Don't forward warnings** about fake challenges with pictures — that spreads them.
- Report dangerous content to the platform and to us.
- If a child is hurt or in danger, call the ambulance (**194**).""",
    },
    {
        "slug": "screen-time",
        "audience": "parents",
        "topics": ["internet_addiction", "parental_controls"],
        "title_sr": "Време пред екраном: колико је превише?",
        "title_en": "Screen time: how much is too much?",
        "summary_sr": "Није важан само број сати, већ сан, кретање, школа и шта дете ради на мрежи.",
        "summary_en": "It is not only the hours: sleep, movement, school and what a child does online matter.",
        "body_sr": """Светска здравствена организација препоручује да деца млађа од две године не проводе време пред екраном (осим видео-позива са блиским особама), а деца од две до четири године највише сат дневно — мање је боље.

За старију децу не постоји један број. Питајте се: да ли дете **довољно спава**, **креће се**, стиже школске обавезе, виђа пријатеље уживо? Ако екран почиње да потискује те ствари, време је за промену.

## Шта помаже

- **Заједничка правила** која договорите са дететом: када, где и колико.
- **Без екрана у спаваћој соби ноћу** и сат времена пре спавања.
- Заједничко гледање и играње: интересујте се шта дете ради.
- Подешавања на уређају: **Време испред екрана** (iPhone), **Дигитално благостање** и **Family Link** (Android).
- Будите пример — и одрасли остављају телефон за столом.

Ако дете постаје нервозно или агресивно без уређаја, губи интересовање за све остало или се школски успех нагло погорша, обратите нам се за савет.""",
        "body_en": """The World Health Organization recommends no screen time for children under two (except video calls with people close to them), and at most one hour a day for children aged two to four — less is better.

For older children there is no single number. Ask yourself: does your child **sleep enough**, **move**, keep up with school, see friends in person? When the screen starts to push those out, it is time for a change.

## What helps

- **Shared rules** agreed with your child: when, where and how long.
- **No screens in the bedroom at night**, and none in the hour before sleep.
- Watching and playing together: take an interest in what your child does.
- Device settings: **Screen Time** (iPhone), **Digital Wellbeing** and **Family Link** (Android).
- Set an example — adults leave their phones away from the table too.

If your child becomes nervous or aggressive without the device, loses interest in everything else, or school results drop suddenly, ask us for advice.""",
    },
]


def load(*, apps=None, using: str = "default") -> int:
    """Create the starter articles that do not exist yet (by address), published. Returns how many.

    ``apps`` is the migration's app registry; the historical model has no custom ``save()``, so
    the folded search text is computed here.
    """
    from django.utils import timezone

    if apps is None:
        from django.apps import apps
    Article = apps.get_model("advice", "Article")
    Category = apps.get_model("taxonomy", "Category")
    created = 0
    now = timezone.now()
    for data in ARTICLES:
        if Article.objects.using(using).filter(slug=data["slug"]).exists():
            continue
        fields = {k: v for k, v in data.items() if k != "topics"}
        text = [fields[n] for n in ("title_sr", "title_en", "summary_sr", "summary_en", "body_sr", "body_en")]
        article = Article.objects.using(using).create(
            **fields, status="published", published_at=now, search_text=fold_many(*text)
        )
        article.topics.set(Category.objects.using(using).filter(code__in=data["topics"]))
        created += 1
    return created
